// Per-name counts of native calls, for np.record_op_stat() / np.show_op_stat(). Off by default:
// then count_op is one relaxed load.
#pragma once
#include <atomic>
#include <map>
#include <string>
#include <string_view>

namespace minpy {

extern std::atomic<bool> g_record_op_stats;
void count_op_slow(std::string_view name);
inline void count_op(std::string_view name) {
  if (g_record_op_stats.load(std::memory_order_relaxed)) count_op_slow(name);
}
void set_record_op_stats(bool on);
std::map<std::string, int64_t> op_stats();
void reset_op_stats();

}  // namespace minpy
