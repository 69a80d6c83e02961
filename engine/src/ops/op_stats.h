// Per-name counts of native calls, for np.record_op_stat() / np.show_op_stat(). Off by default:
// then count_op is one relaxed load.
#pragma once
#include <atomic>
#include <map>
#include <string>
#include <string_view>

namespace minpy {

extern std::atomic<bool> g_record_op_stats;
extern thread_local constinit int t_op_depth __attribute__((tls_model("initial-exec")));  // one TLS load (see g_recording)
void count_op_slow(std::string_view name);
// Counts a call of `name` unless it happens inside another op (ops built from ops count once).
inline void count_op(std::string_view name) {
  if (t_op_depth == 0 && g_record_op_stats.load(std::memory_order_relaxed)) count_op_slow(name);
}
// Placed at the entry of every op: counts the call and marks the ops it calls as internal.
class OpScope {
 public:
  explicit OpScope(std::string_view name) {
    count_op(name);
    ++t_op_depth;
  }
  ~OpScope() { --t_op_depth; }
  OpScope(const OpScope&) = delete;
  OpScope& operator=(const OpScope&) = delete;
};
void set_record_op_stats(bool on);
std::map<std::string, int64_t> op_stats();
void reset_op_stats();

}  // namespace minpy
