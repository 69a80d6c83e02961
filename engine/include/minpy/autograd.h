// Dynamic (tape-based) reverse-mode autograd on the engine's ops.
//
// A tape is pushed, some inputs are "watched" (they become leaves of that tape), the user's code
// runs ordinary engine ops, the tape is popped and `backward` walks the recorded nodes. Tapes nest
// (a per-thread stack): an op records one node on every active tape on which one of its inputs is
// tracked, and the vector-Jacobian products are themselves written with engine ops, so a backward
// pass run while an outer tape is active is recorded on that tape (higher-order derivatives).
//
// Op families add gradients with ONE call at their entry point, e.g. for a reduction:
//   Array out = ...;
//   if (autograd::recording())
//     autograd::record("sum", {a}, {out}, [shape = a.shape()](const autograd::Node& n, const std::vector<Array>& g) {
//       return std::vector<Array>{autograd::broadcast(expanded(g[0]), shape)};
//     });
// Arrays the VJP needs are passed as `saved` and read back with n.saved(i) (version-checked).
#pragma once
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "minpy/array.h"
#include "minpy/ufunc.h"

namespace minpy::autograd {

struct Node;

// A vector holding up to N elements inline (no heap allocation): nodes, entries and VJP arguments
// use it, since recording allocates on every op of a differentiated function.
template <class T, size_t N>
class SmallVec {
 public:
  SmallVec() = default;
  SmallVec(std::initializer_list<T> init) {
    for (const auto& v : init) push_back(v);
  }
  size_t size() const { return n_; }
  bool empty() const { return n_ == 0; }
  T* data() { return n_ > N ? heap_.data() : inl_; }
  const T* data() const { return n_ > N ? heap_.data() : inl_; }
  T& operator[](size_t i) { return data()[i]; }
  const T& operator[](size_t i) const { return data()[i]; }
  T* begin() { return data(); }
  T* end() { return data() + n_; }
  const T* begin() const { return data(); }
  const T* end() const { return data() + n_; }
  T& back() { return data()[n_ - 1]; }
  const T& back() const { return data()[n_ - 1]; }
  void resize(size_t n) {
    if (n > N) {
      if (n_ <= N) {
        heap_.resize(n);
        for (size_t i = 0; i < n_; ++i) heap_[i] = std::move(inl_[i]);
      } else {
        heap_.resize(n);
      }
    } else {
      if (n_ > N)
        for (size_t i = 0; i < n; ++i) inl_[i] = std::move(heap_[i]);
      heap_.clear();
      for (size_t i = n; i < N; ++i) inl_[i] = T();
    }
    n_ = n;
  }
  void push_back(T v) {
    resize(n_ + 1);
    back() = std::move(v);
  }
  void clear() { resize(0); }
  template <class Pred>
  void erase_if(Pred p) {
    size_t k = 0;
    for (size_t i = 0; i < n_; ++i)
      if (!p((*this)[i])) {
        if (k != i) (*this)[k] = std::move((*this)[i]);
        ++k;
      }
    resize(k);
  }

 private:
  size_t n_ = 0;
  T inl_[N] = {};
  std::vector<T> heap_;
};

// A shape and dtype kept by a node (dims inline up to 4-d).
class TensorMeta {
 public:
  TensorMeta() = default;
  explicit TensorMeta(const Array& a) {
    if (a.defined()) set(a.shape(), a.dtype());
  }
  void set(const Shape& s, DType t) {
    dtype_ = t;
    nd_ = static_cast<int>(s.size());
    if (s.size() <= 4) std::copy(s.begin(), s.end(), inl_);
    else heap_ = s;
  }
  DType dtype() const { return dtype_; }
  int ndim() const { return nd_; }
  int64_t dim(int i) const { return nd_ <= 4 ? inl_[i] : heap_[i]; }
  Shape shape() const { return nd_ <= 4 ? Shape(inl_, inl_ + nd_) : heap_; }
  bool same_shape(const Shape& s) const {
    if (static_cast<int>(s.size()) != nd_) return false;
    for (int i = 0; i < nd_; ++i)
      if (s[i] != dim(i)) return false;
    return true;
  }

 private:
  DType dtype_ = DType::Float64;
  int nd_ = 0;
  int64_t inl_[4] = {};
  Shape heap_;
};

// Where an array's value came from on one tape.
struct GradEntry {
  uint64_t tape = 0;
  std::shared_ptr<Node> node;
  int index = 0;         // which output of node
  uint64_t version = 0;  // storage version when this entry was made (stale once the storage is written)
  std::shared_ptr<ArrayImpl> view_src;  // for recorded views: the array this one views
};
struct AutogradMeta {
  SmallVec<GradEntry, 2> entries;
};

using VjpFn = std::function<std::vector<Array>(const Node&, const std::vector<Array>& gouts)>;

struct Node {
  const char* name = "";
  uint64_t tape = 0;
  struct Edge {
    std::shared_ptr<Node> node;  // null: this input gets no gradient
    int index = 0;
  };
  SmallVec<Edge, 3> edges;     // one per input
  SmallVec<TensorMeta, 3> ins;  // shape and dtype per input
  SmallVec<TensorMeta, 1> outs; // per output
  VjpFn vjp;
  // The saved value i; ValueError when its memory was written after it was saved. An undefined
  // saved value (an undefined array was passed) is returned as is.
  const Array& saved(size_t i) const;
  size_t num_saved() const { return saved_.size(); }
  bool needs_grad(size_t input) const { return input < edges.size() && edges[input].node != nullptr; }

  // Internal: saved values and their storage versions; backward's per-pass state.
  struct Saved {
    Array value;
    uint64_t version = 0;
  };
  SmallVec<Saved, 2> saved_;
  SmallVec<Scalar, 1> consts_;  // Python-scalar operands of a recorded ufunc call
  mutable uint64_t pass_ = 0;             // the backward pass that last visited this node
  mutable SmallVec<Array, 1> grad_acc_;  // cotangents accumulated for the outputs in that pass
};

namespace detail {
// constinit + initial-exec: every op reads it, so the read is one TLS load (no TLS-init call and
// no __tls_get_addr through the PLT, as a shared library's thread_local otherwise costs).
extern thread_local constinit int g_recording __attribute__((tls_model("initial-exec")));  // > 0 while a tape is active and recording is not suspended
}
// True while some tape records on this thread: the only check ops make when autograd is unused.
inline bool recording() { return detail::g_recording > 0; }

// ---- tapes ----
uint64_t push_tape();
void pop_tape(uint64_t tape);  // must be the innermost tape
// Suspends recording (stop_gradient regions, internal computations).
class NoGradGuard {
 public:
  NoGradGuard();
  ~NoGradGuard();
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;
 private:
  int saved_;
};
// f() with recording suspended: how an op computes its value before recording one node for it.
template <class F>
decltype(auto) untracked(F&& f) {
  NoGradGuard no_grad;
  return f();
}

// A new array aliasing x that is a leaf of `tape` (keeps x's tracking on outer tapes). Integer and
// bool inputs become float64 copies; complex inputs raise TypeError.
Array watch(const Array& x, uint64_t tape);
// True when `a` is tracked by an active tape.
bool is_tracked(const Array& a);
// d(sum(seed * y))/d xs, where xs were watched on `tape` (popped already). seed defaults to ones.
// An x the output does not depend on gets zeros. Gradients have the x's shape and dtype. A pass keeps
// its state in the nodes: do not run two passes over one graph at once from different threads.
std::vector<Array> backward(uint64_t tape, const Array& y, const std::vector<Array>& xs, const Array& seed = {});
// The same value, never tracked: no gradient flows through it.
Array stop_gradient(const Array& a);

// ---- C++ API ----
using Function = std::function<Array(const std::vector<Array>&)>;
// Gradients of f (seeded with ones when f's output is not a scalar) at xs; *value gets f(xs).
std::vector<Array> grad(const Function& f, const std::vector<Array>& xs, Array* value = nullptr);
struct VjpResult {
  Array value;
  std::function<std::vector<Array>(const Array& cotangent)> backward;
};
VjpResult vjp(const Function& f, const std::vector<Array>& xs);

// ---- recording (for op families) ----
// Records `outputs = op(inputs)` on every active tape where an input is tracked. Only floating
// outputs are differentiable; inputs that are not floating get no gradient. Complex outputs computed
// from tracked floating inputs raise TypeError (complex values are not differentiated).
void record(const char* name, const std::vector<Array>& inputs, const std::vector<Array>& outputs, VjpFn vjp,
            const std::vector<Array>& saved = {});
// Hooks used by the engine's own op families (see ops/*.cpp).
std::vector<Array> call_ufunc_recorded(const Ufunc& uf, const std::vector<Operand>& inputs, const UfuncOptions& opt);
void record_view(const char* name, const Array& src, const Array& view);
void record_copy(const char* name, const Array& src, const Array& out);
void record_broadcast(const Array& src, const Array& view);  // broadcast_to's view (VJP: sum_to_shape)
// assign(dst, src) with recording; `write` performs the raw write.
void assign_recorded(const Array& dst, const Array* src, const std::function<void()>& write);
// The array a setitem writes into (its index selects dst inside it); see WriteTarget.
class WriteTarget {
 public:
  explicit WriteTarget(const Array& target);
  ~WriteTarget();
  WriteTarget(const WriteTarget&) = delete;
  WriteTarget& operator=(const WriteTarget&) = delete;
 private:
  const Array* saved_;
};

// The safety net for ops that take floating arrays but record no gradient: raises
// TypeError("[op] has no gradient in minpy ...") while a tape records and one of `arrays` is a
// tracked floating array, so no gradient is ever dropped silently. No-op when nothing records.
void no_gradient(const char* op, const std::vector<Array>& arrays);

// The out= step of an op that computed `value` fresh (and recorded it): `raw_write` performs the
// op's own write into `out` (its checks and casts); the write is recorded as `out = value` when
// value broadcasts to out's shape, otherwise raw_write runs alone (and raises the op's error).
Array write_out(const Array& value, const Array& out, const std::function<void()>& raw_write);
// ---- custom ops ----
// An op made of a forward function and its VJP, e.g. (softplus, VJP g * sigmoid(x)):
//   autograd::register_op("softplus",
//       [](const std::vector<Array>& in) { return std::vector<Array>{ufunc1("log1p", ufunc1("exp", in[0]))}; },
//       [](const autograd::OpVjpArgs& a) {  // engine ops: differentiable again (higher order)
//         Array s = ufunc2("true_divide", Scalar::from_float(1.0), ufunc2("add", Scalar::from_float(1.0), ufunc1("exp", ufunc1("negative", a.inputs[0]))));
//         return std::vector<Array>{ufunc2("multiply", a.g[0], s)};
//       });
//   Array y = autograd::call_op("softplus", {x})[0];   // or the returned Op: (*op)({x})
// The forward runs with recording suspended (the op is one node, whatever it computes inside).
// When an input is tracked, one node is recorded on every tape tracking an input; its VJP gets the
// inputs and outputs (version-checked: ValueError if written in place since) and one cotangent per
// output (zeros for outputs the result does not depend on), and returns one gradient per input
// (undefined: none; a gradient of a broadcastable shape is broadcast, one of a larger broadcast
// shape summed, and cast to the input's dtype). needs[i] tells whether input i's gradient is used.
struct OpVjpArgs {
  const std::vector<Array>& inputs;
  const std::vector<Array>& outputs;
  const std::vector<Array>& g;
  const std::vector<bool>& needs;
};
using OpForward = std::function<std::vector<Array>(const std::vector<Array>& inputs)>;
using OpVjp = std::function<std::vector<Array>(const OpVjpArgs&)>;
class Op {
 public:
  Op(std::string name, OpForward forward, OpVjp vjp);
  std::vector<Array> operator()(const std::vector<Array>& inputs) const;
  const char* name() const { return name_; }
 private:
  const char* name_;
  OpForward forward_;
  OpVjp vjp_;
};
// Registers (replacing an op of the same name; ops already handed out stay valid) and returns it.
std::shared_ptr<const Op> register_op(const std::string& name, OpForward forward, OpVjp vjp);
std::shared_ptr<const Op> find_op(const std::string& name);  // null when none is registered
// Calls the registered op `name` (ValueError when there is none).
std::vector<Array> call_op(const std::string& name, const std::vector<Array>& inputs);
// g as the gradient of input i of n: broadcast up to the input's shape when it is smaller (the
// recorder sums larger broadcast shapes down); ValueError when the shapes do not fit.
Array fit_gradient(const Node& n, size_t input, const Array& g);
// A node name that lives as long as the program (Node::name is a plain pointer).
const char* intern_name(const std::string& name);
// Suspends recording and returns the previous state (for bindings that cannot hold a NoGradGuard).
int suspend_recording();
void resume_recording(int previous);

// ---- differentiable helpers for VJPs ----
// g summed over the axes it was broadcast along to reach `shape` (NumPy's unbroadcast).
Array sum_to_shape(const Array& g, const Shape& shape);
// a reversed along `axis` (a view), recorded.
Array flip(const Array& a, int axis);
// a broadcast to shape (a read-only view), recorded with sum_to_shape as its VJP.
Array broadcast(const Array& a, const Shape& shape);
Array zeros(const Shape& shape, DType dtype);
Array ones(const Shape& shape, DType dtype);

// ---- ufunc VJP rules (autograd/vjp_ufunc.cpp) ----
struct UfuncVjpArgs {
  SmallVec<Operand, 3> in;   // the inputs as the ufunc saw them (scalars stay scalars)
  SmallVec<Array, 2> out;    // the outputs (saved only when the rule asks)
  SmallVec<Array, 2> g;      // cotangent per output
  SmallVec<uint8_t, 3> needs;  // per input: whether its gradient is wanted (0/1)
  const Node* node = nullptr;
};
struct UfuncVjpRule {
  bool save_inputs = true;
  bool save_outputs = false;
  // Gradient per input in the broadcast shape (undefined: none); the caller unbroadcasts and casts.
  std::function<std::vector<Array>(const UfuncVjpArgs&)> vjp;
  // Optional first-order fast path (fused loops), tried when no tape records the backward pass:
  // fills the result like vjp and returns true, or returns false to use vjp.
  std::function<bool(const UfuncVjpArgs&, std::vector<Array>&)> fast;
};
void register_ufunc_vjp(const std::string& name, UfuncVjpRule rule);
const UfuncVjpRule* find_ufunc_vjp(const std::string& name);

}  // namespace minpy::autograd
