#include "op_stats.h"

#include <mutex>

namespace minpy {

std::atomic<bool> g_record_op_stats{false};
thread_local constinit int t_op_depth __attribute__((tls_model("initial-exec"))) = 0;
namespace {
std::mutex g_mutex;
std::map<std::string, int64_t>& counts() {
  static std::map<std::string, int64_t> c;
  return c;
}
}  // namespace

void count_op_slow(std::string_view name) {
  std::lock_guard<std::mutex> g(g_mutex);
  ++counts()[std::string(name)];
}
void set_record_op_stats(bool on) { g_record_op_stats = on; }
std::map<std::string, int64_t> op_stats() {
  std::lock_guard<std::mutex> g(g_mutex);
  return counts();
}
void reset_op_stats() {
  std::lock_guard<std::mutex> g(g_mutex);
  counts().clear();
}

}  // namespace minpy
