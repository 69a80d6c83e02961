// Tapes, nodes, recording and the backward pass.
//
// Ownership: an array's AutogradMeta holds, per tape, the node that produced its value; a node holds
// its input nodes (edges) and the arrays saved for its VJP. Saved arrays are fresh aliases of the
// storage whose own entries are snapshots for strictly outer tapes only, so references always go
// to earlier nodes of the same tape or to nodes of outer tapes: the graph has no cycles and dies
// with the arrays that use it.
//
// In-place writes: every write bumps Storage::version. An entry remembers the version it was made
// at; a stale entry is re-derived from the array it views (view_src) or from the memory owner when
// that one is current, or else refused. Saved arrays are checked the same way in backward.
#include <algorithm>
#include <atomic>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "minpy/fp_errors.h"
#include "autograd/internal.h"
#include "backend/cpu/vjp_kernels.h"
#include "minpy/errors.h"
#include "minpy/ops.h"
#include "minpy/reductions.h"

namespace minpy::autograd {

namespace detail {
thread_local constinit int g_recording __attribute__((tls_model("initial-exec"))) = 0;
}

namespace {

std::atomic<uint64_t> g_next_tape{1};
thread_local std::vector<uint64_t> tl_stack;           // active tapes, outer first
thread_local std::vector<int> tl_saved_recording;      // g_recording before each push
thread_local const Array* tl_write_target = nullptr;   // setitem's array (see WriteTarget)

// ---- a per-thread block pool for nodes and entry tables ----
// Every recorded op allocates a node and an entry table and backward frees them in bulk; more
// blocks are live at once than malloc's per-thread cache holds, so they would otherwise go through
// malloc's slower bins. Blocks are recycled per size class (64-byte steps up to 1 KiB); a block
// freed on another thread joins that thread's lists. Lists are capped; beyond, blocks go back to malloc.
struct BlockPool {
  static constexpr size_t kStep = 64, kClasses = 16, kCap = 4096;
  struct FreeBlock {
    FreeBlock* next;
  };
  FreeBlock* heads[kClasses] = {};
  size_t counts[kClasses] = {};
  ~BlockPool();
};
thread_local BlockPool* tl_pool = nullptr;  // trivially destructible: readable during thread exit
thread_local bool tl_pool_dead = false;
BlockPool::~BlockPool() {
  tl_pool = nullptr;
  tl_pool_dead = true;
  for (size_t c = 0; c < kClasses; ++c)
    while (heads[c]) {
      FreeBlock* b = heads[c];
      heads[c] = b->next;
      ::operator delete(b);
    }
}
BlockPool* pool() {
  if (!tl_pool && !tl_pool_dead) {
    thread_local BlockPool p;
    tl_pool = &p;
  }
  return tl_pool;
}
void* pool_alloc(size_t bytes) {
  size_t c = (bytes + BlockPool::kStep - 1) / BlockPool::kStep - 1;
  if (c < BlockPool::kClasses)
    if (BlockPool* p = pool(); p && p->heads[c]) {
      BlockPool::FreeBlock* b = p->heads[c];
      p->heads[c] = b->next;
      --p->counts[c];
      return b;
    }
  return ::operator new(c < BlockPool::kClasses ? (c + 1) * BlockPool::kStep : bytes);
}
void pool_free(void* ptr, size_t bytes) {
  size_t c = (bytes + BlockPool::kStep - 1) / BlockPool::kStep - 1;
  if (c < BlockPool::kClasses)
    if (BlockPool* p = pool(); p && p->counts[c] < BlockPool::kCap) {
      auto* b = static_cast<BlockPool::FreeBlock*>(ptr);
      b->next = p->heads[c];
      p->heads[c] = b;
      ++p->counts[c];
      return;
    }
  ::operator delete(ptr);
}
template <class T>
struct PoolAllocator {
  using value_type = T;
  PoolAllocator() = default;
  template <class U>
  PoolAllocator(const PoolAllocator<U>&) {}
  T* allocate(size_t n) { return static_cast<T*>(pool_alloc(n * sizeof(T))); }
  void deallocate(T* p, size_t n) { pool_free(p, n * sizeof(T)); }
  template <class U>
  bool operator==(const PoolAllocator<U>&) const { return true; }
};
static_assert(sizeof(Node) + 32 <= BlockPool::kStep * BlockPool::kClasses, "nodes fit the pool's size classes");
std::shared_ptr<Node> new_node() { return std::allocate_shared<Node>(PoolAllocator<Node>()); }
std::shared_ptr<AutogradMeta> new_meta() { return std::allocate_shared<AutogradMeta>(PoolAllocator<AutogradMeta>()); }

GradEntry* find_entry(ArrayImpl* impl, uint64_t tape) {
  if (!impl->grad_meta) return nullptr;
  for (auto& e : impl->grad_meta->entries)
    if (e.tape == tape) return &e;
  return nullptr;
}

void set_entry(ArrayImpl* impl, GradEntry e) {
  if (!impl->grad_meta) impl->grad_meta = new_meta();
  for (auto& x : impl->grad_meta->entries)
    if (x.tape == e.tape) {
      x = std::move(e);
      return;
    }
  impl->grad_meta->entries.push_back(std::move(e));
}

void erase_entry(ArrayImpl* impl, uint64_t tape) {
  if (!impl->grad_meta) return;
  impl->grad_meta->entries.erase_if([&](const GradEntry& e) { return e.tape == tape; });
}

// A node with the given edges, input metas (shape, dtype) and one output meta per `outs`.
std::shared_ptr<Node> make_node(const char* name, uint64_t tape, std::initializer_list<Node::Edge> edges,
                                std::initializer_list<const Array*> ins, std::initializer_list<const Array*> outs,
                                VjpFn vjp) {
  auto n = new_node();
  n->name = name;
  n->tape = tape;
  for (const auto& e : edges) n->edges.push_back(e);
  for (const Array* a : ins) n->ins.push_back(TensorMeta(*a));
  for (const Array* a : outs) n->outs.push_back(TensorMeta(*a));
  n->vjp = std::move(vjp);
  return n;
}

[[noreturn]] void stale_error() {
  throw ValueError(msg("grad", "an array used by the differentiated function was modified in place in a way "
                               "autograd cannot follow (e.g. through a NumPy view or an array it does not "
                               "track); the gradient would be wrong. Copy the array before modifying it."));
}

GradEntry* resolve(const Array& a, uint64_t tape);

// A node giving `view`'s value as a gather from `src` (whose entry on tape is current).
GradEntry* derive_from(const Array& view, const Array& src, const GradEntry& se, uint64_t tape,
                       std::shared_ptr<ArrayImpl> view_src) {
  Geometry g;
  if (!make_geometry(view, src, g)) return nullptr;
  auto n = make_node("view", tape, {{se.node, se.index}}, {&src}, {&view}, [g](const Node&, const std::vector<Array>& gout) {
                       return std::vector<Array>{scatter(Array(), gout[0], g)};
                     });
  set_entry(view.impl().get(), GradEntry{tape, n, 0, view.storage()->version, std::move(view_src)});
  return find_entry(view.impl().get(), tape);
}

// The current entry of `a` on `tape`, or null when `a` is not tracked there.
GradEntry* resolve(const Array& a, uint64_t tape) {
  ArrayImpl* impl = a.impl().get();
  uint64_t ver = a.storage()->version;
  GradEntry* e = find_entry(impl, tape);
  if (e && e->version == ver) return e;
  if (e && e->view_src) {
    Array src(e->view_src);
    if (GradEntry* se = resolve(src, tape)) {
      auto vs = e->view_src;
      GradEntry copy = *se;
      if (GradEntry* r = derive_from(a, src, copy, tape, vs)) return r;
    }
  }
  if (impl->base && impl->base->dtype == a.dtype()) {
    Array owner(impl->base);
    if (GradEntry* oe = resolve(owner, tape)) {
      GradEntry copy = *oe;
      std::shared_ptr<ArrayImpl> vs = e ? e->view_src : nullptr;
      if (GradEntry* r = derive_from(a, owner, copy, tape, vs)) return r;
    }
  }
  if (e) stale_error();
  return nullptr;
}

bool is_active(uint64_t tape) { return std::find(tl_stack.begin(), tl_stack.end(), tape) != tl_stack.end(); }

// A new handle on a's memory carrying a's entries on the tapes outer to stack[level] (snapshots).
// A view is saved as a copy: the storage version is per storage, so a write to another region of
// the same memory (y[i] = f(y[i-1]) in a loop) would otherwise make every saved view look stale.
// Arrays that own their memory are saved by reference and version-checked in backward.
Array make_saved(const Array& a, size_t level, bool copy_views = true) {
  auto impl = std::make_shared<ArrayImpl>();
  Array data = a;
  if (copy_views && a.impl()->base) {
    NoGradGuard ng;
    data = copy(a, 'K');
  }
  const ArrayImpl& s = *data.impl();
  impl->storage = s.storage;
  impl->shape = s.shape;
  impl->strides = s.strides;
  impl->offset = s.offset;
  impl->size = s.size;
  impl->dtype = s.dtype;
  impl->writeable = s.writeable;
  for (size_t k = 0; k < level; ++k)
    if (GradEntry* e = resolve(a, tl_stack[k])) {
      if (!impl->grad_meta) impl->grad_meta = new_meta();
      impl->grad_meta->entries.push_back(GradEntry{e->tape, e->node, e->index, s.storage->version, nullptr});
    }
  return Array(std::move(impl));
}

Array add_grads(const Array& a, const Array& b) { return a.defined() ? ufunc2("add", a, b) : b; }

// First-order accumulation (nothing records the backward pass): adds g into slot in place when
// backward is the only owner of slot's buffer (no other handle, view or saved copy of it).
bool accumulate_in_place(Array& slot, const Array& g) {
  if (recording() || slot.dtype() != g.dtype() || slot.shape() != g.shape()) return false;
  if (slot.impl().use_count() != 1 || slot.storage().use_count() != 1 || slot.impl()->base || !slot.writeable() ||
      slot.impl()->grad_meta || slot.device().type != DeviceType::CPU || g.device().type != DeviceType::CPU ||
      !slot.c_contiguous() || !g.c_contiguous() || slot.may_share_memory(g))
    return false;
  if (slot.dtype() == DType::Float64) cpu::fused_accumulate(slot.data_as<double>(), g.data_as<double>(), g.size());
  else if (slot.dtype() == DType::Float32) cpu::fused_accumulate(slot.data_as<float>(), g.data_as<float>(), g.size());
  else return false;
  ++slot.storage()->version;
  return true;
}

}  // namespace

bool is_float(DType t) { return is_floating(t); }

const Array& Node::saved(size_t i) const {
  const Saved& sv = saved_[i];
  if (sv.value.defined() && sv.value.storage()->version != sv.version) [[unlikely]]
    throw ValueError(msg("grad", std::string("an array saved for the gradient of '") + name +
                                     "' was modified in place after it was saved for the gradient; the gradient "
                                     "would be wrong. Copy it before modifying it (y = y.copy()) or avoid the "
                                     "in-place operation."));
  return sv.value;
}

uint64_t push_tape() {
  uint64_t id = g_next_tape.fetch_add(1);
  tl_stack.push_back(id);
  tl_saved_recording.push_back(detail::g_recording);
  detail::g_recording = static_cast<int>(tl_stack.size());
  return id;
}

void pop_tape(uint64_t tape) {
  if (tl_stack.empty() || tl_stack.back() != tape)
    throw ValueError(msg("grad", "tapes must be popped in the reverse order they were pushed."));
  tl_stack.pop_back();
  detail::g_recording = tl_saved_recording.back();
  tl_saved_recording.pop_back();
}

NoGradGuard::NoGradGuard() : saved_(detail::g_recording) { detail::g_recording = 0; }
NoGradGuard::~NoGradGuard() { detail::g_recording = saved_; }

WriteTarget::WriteTarget(const Array& target) : saved_(tl_write_target) { tl_write_target = &target; }
WriteTarget::~WriteTarget() { tl_write_target = saved_; }

Array zeros(const Shape& shape, DType dtype) {
  NoGradGuard ng;
  Array z = Array::empty(shape, dtype);
  assign(z, Scalar::from_int(0));
  return z;
}
Array ones(const Shape& shape, DType dtype) {
  NoGradGuard ng;
  Array z = Array::empty(shape, dtype);
  assign(z, Scalar::from_int(1));
  return z;
}

Array watch(const Array& x, uint64_t tape) {
  Array src = x;
  if (is_complex(x.dtype()))
    throw TypeError(msg("grad", "complex inputs are not differentiable in minpy; pass real floating arrays."));
  if (!is_floating(x.dtype())) {
    NoGradGuard ng;
    src = astype(x, DType::Float64);
  }
  // A fresh handle on the same memory (in-place writes inside the function reach the caller's array,
  // as in NumPy), tracked on the outer tapes as x is.
  size_t level = std::find(tl_stack.begin(), tl_stack.end(), tape) - tl_stack.begin();
  Array leaf = make_saved(src, level, false);
  leaf.impl()->base = src.impl()->base;  // still a view of the same owner
  auto n = make_node("leaf", tape, {}, {}, {&leaf}, nullptr);
  set_entry(leaf.impl().get(), GradEntry{tape, n, 0, leaf.storage()->version, nullptr});
  // The leaf node is also kept under a reserved tape key (tape | high bit), because an in-place write
  // inside the function replaces the array's entry while backward still needs the leaf.
  set_entry(leaf.impl().get(), GradEntry{tape | (uint64_t(1) << 63), n, 0, 0, nullptr});
  return leaf;
}

bool is_tracked(const Array& a) {
  if (!a.defined() || !a.impl()->grad_meta && !a.impl()->base) return false;
  for (uint64_t t : tl_stack)
    if (resolve(a, t)) return true;
  return false;
}

Array stop_gradient(const Array& a) {
  NoGradGuard ng;
  return copy(a, 'K');
}

void record(const char* name, const std::vector<Array>& inputs, const std::vector<Array>& outputs, VjpFn vjp,
            const std::vector<Array>& saved) {
  record_span(name, {inputs.data(), inputs.size()}, {outputs.data(), outputs.size()}, std::move(vjp),
              {saved.data(), saved.size()});
}

void record_span(const char* name, Span inputs, Span outputs, VjpFn&& vjp, Span saved, const Scalar* consts,
                 size_t nconsts) {
  if (!recording()) return;
  bool any_float_out = false, any_complex_out = false;
  for (const auto& o : outputs) {
    any_float_out |= o.defined() && is_floating(o.dtype());
    any_complex_out |= o.defined() && is_complex(o.dtype());
  }
  if (!any_float_out) {
    // Integer/bool results have zero derivative almost everywhere; complex ones would lose it.
    if (any_complex_out) no_gradient(name, std::vector<Array>(inputs.begin(), inputs.end()));
    return;
  }
  size_t ntapes = tl_stack.size();
  for (size_t level = 0; level < ntapes; ++level) {
    uint64_t t = tl_stack[level];
    // Edges first, straight into the node; most ops record on one tape, so the node is allocated
    // only once an input turns out to be tracked.
    std::shared_ptr<Node> n;
    for (size_t i = 0; i < inputs.size(); ++i) {
      const Array& in = inputs[i];
      if (!in.defined() || !is_floating(in.dtype())) continue;
      if (!in.impl()->grad_meta && !in.impl()->base) continue;  // never tracked
      GradEntry* e = resolve(in, t);
      if (!e) continue;
      if (!n) {
        n = new_node();
        n->edges.resize(inputs.size());
      }
      n->edges[i] = {e->node, e->index};
    }
    if (!n) continue;
    n->name = name;
    n->tape = t;
    n->ins.resize(inputs.size());
    for (size_t i = 0; i < inputs.size(); ++i) n->ins[i] = TensorMeta(inputs[i]);
    n->outs.resize(outputs.size());
    for (size_t j = 0; j < outputs.size(); ++j) n->outs[j] = TensorMeta(outputs[j]);
    // The last tape that can record takes the function itself; outer ones get copies.
    bool last = level + 1 == ntapes;
    n->vjp = last ? std::move(vjp) : vjp;
    for (size_t k = 0; k < nconsts; ++k) n->consts_.push_back(consts[k]);
    n->saved_.resize(saved.size());
    for (size_t k = 0; k < saved.size(); ++k) {
      const Array& sv = saved[k];
      if (!sv.defined()) continue;
      // On the outermost tape an input that owns its memory is saved as itself: no entry of an
      // outer tape needs snapshotting, its own entries only lead to earlier nodes, and a later
      // in-place write is caught by the version check. Outputs (their entries will lead to this
      // node: a cycle) and views (saved as copies) get a fresh handle.
      bool share = level == 0 && !sv.impl()->base;
      for (size_t j = 0; share && j < outputs.size(); ++j) share = outputs[j].impl() != sv.impl();
      n->saved_[k].value = share ? sv : make_saved(sv, level);
      n->saved_[k].version = n->saved_[k].value.storage()->version;
    }
    for (size_t j = 0; j < outputs.size(); ++j)
      if (outputs[j].defined() && is_floating(outputs[j].dtype()))
        set_entry(outputs[j].impl().get(), GradEntry{t, n, static_cast<int>(j), outputs[j].storage()->version, nullptr});
    if (last) break;
  }
}

namespace {
std::atomic<uint64_t> g_next_pass{1};
}

std::vector<Array> backward(uint64_t tape, const Array& y, const std::vector<Array>& xs, const Array& seed) {
  // Per-pass state lives in the nodes (pass_ stamps, grad_acc_ slots): no maps or sets per node.
  // A pass id is unique, so slots left by an earlier (or interrupted) pass are ignored.
  const uint64_t pass = g_next_pass.fetch_add(1);
  // VJPs' internal arithmetic does not report floating-point errors (np.errstate): a gradient's
  // inf/nan shows in its value, and masked branches (where(x > 0, g / x, 0)) must not warn.
  fperr::Quiet fp_quiet;
  auto slots = [pass](const Node* n) -> SmallVec<Array, 1>& {
    if (n->pass_ != pass) {
      n->pass_ = pass;
      n->grad_acc_.clear();
      n->grad_acc_.resize(n->outs.size());
    }
    return n->grad_acc_;
  };
  std::vector<std::shared_ptr<Node>> leaves;
  leaves.reserve(xs.size());
  for (const auto& x : xs) {
    GradEntry* le = x.impl()->grad_meta ? find_entry(x.impl().get(), tape | (uint64_t(1) << 63)) : nullptr;
    leaves.push_back(le ? le->node : nullptr);
  }
  // Leaves' slots must not be taken for stale ones from an earlier pass.
  std::vector<Array> leaf_grads(xs.size());
  GradEntry* ye = (y.defined() && is_floating(y.dtype())) ? resolve(y, tape) : nullptr;
  struct Cleanup {  // drop the cotangents held by the nodes once the pass ends (or throws)
    std::vector<Node*>* order;
    ~Cleanup() {
      for (Node* n : *order) n->grad_acc_.clear();
    }
  };
  std::vector<Node*> order;
  Cleanup cleanup{&order};
  if (ye) {
    // Topological order by iterative DFS (post-order), then walk it backwards. Visited nodes are
    // marked with a separate stamp (the pass id with the high bit set) before slots are used.
    const uint64_t mark = pass | (uint64_t(1) << 63);
    std::vector<std::pair<Node*, size_t>> stack;
    stack.reserve(64);
    order.reserve(128);
    stack.push_back({ye->node.get(), 0});
    ye->node->pass_ = mark;
    while (!stack.empty()) {
      auto& [n, i] = stack.back();
      if (i < n->edges.size()) {
        Node* c = n->edges[i++].node.get();
        if (c && c->pass_ != mark) {
          c->pass_ = mark;
          stack.push_back({c, 0});
        }
      } else {
        order.push_back(n);
        stack.pop_back();
      }
    }
    Array s = seed.defined() ? seed : ones(y.shape(), y.dtype());
    if (s.dtype() != y.dtype()) s = astype(s, y.dtype());
    if (s.shape() != y.shape()) s = broadcast(s, y.shape());
    std::shared_ptr<Node> root = ye->node;  // keep the graph alive while walking it
    slots(root.get())[ye->index] = s;
    std::vector<Array> gouts;
    for (auto it = order.rbegin(); it != order.rend(); ++it) {
      Node* n = *it;
      if (n->pass_ != pass || !n->vjp) continue;  // no cotangent reached it (or a leaf)
      size_t nout = n->outs.size();
      gouts.resize(nout);
      bool any = false;
      for (size_t j = 0; j < nout; ++j) {
        gouts[j] = std::move(n->grad_acc_[j]);
        any = any || gouts[j].defined();
      }
      n->grad_acc_.clear();
      if (!any) continue;
      for (size_t j = 0; j < nout; ++j)
        if (!gouts[j].defined()) gouts[j] = zeros(n->outs[j].shape(), n->outs[j].dtype());
      std::vector<Array> gins = n->vjp(*n, gouts);
      for (size_t i = 0; i < n->edges.size() && i < gins.size(); ++i) {
        const auto& edge = n->edges[i];
        if (!edge.node || !gins[i].defined()) continue;
        Array g = std::move(gins[i]);
        const TensorMeta& m = n->ins[i];
        if (!m.same_shape(g.shape())) g = sum_to_shape(g, m.shape());
        if (g.dtype() != m.dtype()) g = astype(g, m.dtype());
        Array& slot = slots(edge.node.get())[edge.index];
        if (!slot.defined()) slot = std::move(g);
        else if (!accumulate_in_place(slot, g)) slot = add_grads(slot, g);
      }
    }
    for (size_t k = 0; k < xs.size(); ++k)
      if (leaves[k] && leaves[k]->pass_ == pass && !leaves[k]->grad_acc_.empty()) leaf_grads[k] = leaves[k]->grad_acc_[0];
  }
  std::vector<Array> out;
  out.reserve(xs.size());
  for (size_t k = 0; k < xs.size(); ++k) {
    Array g = std::move(leaf_grads[k]);
    if (!g.defined()) g = zeros(xs[k].shape(), xs[k].dtype());
    else if (!g.c_contiguous() || !g.writeable() || !g.owns_data()) g = copy(g, 'C');
    out.push_back(g);
  }
  return out;
}

std::vector<Array> grad(const Function& f, const std::vector<Array>& xs, Array* value) {
  VjpResult r = vjp(f, xs);
  if (value) *value = r.value;
  return r.backward(Array());
}

VjpResult vjp(const Function& f, const std::vector<Array>& xs) {
  uint64_t tape = push_tape();
  std::vector<Array> leaves;
  Array y;
  try {
    for (const auto& x : xs) leaves.push_back(watch(x, tape));
    y = f(leaves);
  } catch (...) {
    pop_tape(tape);
    throw;
  }
  pop_tape(tape);
  return VjpResult{y, [tape, y, leaves](const Array& ct) { return backward(tape, y, leaves, ct); }};
}

// ---- writes ----

namespace {
struct WriteState {
  uint64_t tape;
  GradEntry target_old, owner_old;
  bool has_target = false, has_owner = false;
};
}  // namespace

// Records `dst` (a region of `target`, same storage) being overwritten with `value`'s value.
static void finish_write(const Array& target, const Array& dst, const Array& owner,
                         const std::vector<WriteState>& states, const Array& value) {
  for (const auto& st : states) {
    uint64_t t = st.tape;
    GradEntry* vp = value.defined() && is_floating(value.dtype()) ? find_entry(value.impl().get(), t) : nullptr;
    std::optional<GradEntry> ve;
    if (vp) ve = *vp;
    uint64_t ver = target.storage()->version;
    // The target's new value.
    bool covers = dst.same_layout(target);
    Geometry g;
    if (covers) {
      if (ve) set_entry(target.impl().get(), GradEntry{t, ve->node, ve->index, ver, st.has_target ? st.target_old.view_src : nullptr});
      else erase_entry(target.impl().get(), t);
    } else if ((ve || st.has_target) && make_geometry(dst, target, g)) {
      Node::Edge e0 = st.has_target ? Node::Edge{st.target_old.node, st.target_old.index} : Node::Edge{};
      Node::Edge e1 = ve ? Node::Edge{ve->node, ve->index} : Node::Edge{};
      auto n = make_node("setitem", t, {e0, e1}, {&target, &dst}, {&target}, [g](const Node& node, const std::vector<Array>& gout) {
                           std::vector<Array> r(2);
                           if (node.needs_grad(0)) r[0] = scatter(gout[0], zeros(g.view_shape, gout[0].dtype()), g);
                           if (node.needs_grad(1)) r[1] = gather(gout[0], g);
                           return r;
                         });
      set_entry(target.impl().get(), GradEntry{t, n, 0, ver, st.has_target ? st.target_old.view_src : nullptr});
    } else if (st.has_target) {
      stale_error();
    }
    if (dst.impl() != target.impl()) {
      if (ve) set_entry(dst.impl().get(), GradEntry{t, ve->node, ve->index, ver, nullptr});
      else erase_entry(dst.impl().get(), t);
    }
    // The memory owner's new value, when it is tracked or becomes tracked.
    if (owner.defined() && owner.impl() != target.impl() && (ve || st.has_owner) && make_geometry(dst, owner, g)) {
      Node::Edge e0 = st.has_owner ? Node::Edge{st.owner_old.node, st.owner_old.index} : Node::Edge{};
      Node::Edge e1 = ve ? Node::Edge{ve->node, ve->index} : Node::Edge{};
      auto n = make_node("setitem", t, {e0, e1}, {&owner, &dst}, {&owner}, [g](const Node& node, const std::vector<Array>& gout) {
                           std::vector<Array> r(2);
                           if (node.needs_grad(0)) r[0] = scatter(gout[0], zeros(g.view_shape, gout[0].dtype()), g);
                           if (node.needs_grad(1)) r[1] = gather(gout[0], g);
                           return r;
                         });
      set_entry(owner.impl().get(), GradEntry{t, n, 0, ver, nullptr});
    }
  }
}

static std::vector<WriteState> prepare_write(const Array& target, const Array& owner, bool& any) {
  std::vector<WriteState> states;
  for (uint64_t t : tl_stack) {
    WriteState st{t, {}, {}, false, false};
    if (is_floating(target.dtype()))
      if (GradEntry* e = resolve(target, t)) {
        st.target_old = *e;
        st.has_target = true;
      }
    if (owner.defined() && owner.impl() != target.impl() && is_floating(owner.dtype()))
      if (GradEntry* e = resolve(owner, t)) {
        st.owner_old = *e;
        st.has_owner = true;
      }
    any |= st.has_target || st.has_owner;
    states.push_back(std::move(st));
  }
  return states;
}

static Array owner_of(const Array& a) { return a.impl()->base ? Array(a.impl()->base) : Array(); }

void assign_recorded(const Array& dst, const Array* src, const std::function<void()>& write) {
  Array target = tl_write_target && tl_write_target->storage() == dst.storage() ? *tl_write_target : dst;
  Array owner = owner_of(target);
  bool any = false;
  auto states = prepare_write(target, owner, any);
  bool src_tracked = src && is_floating(src->dtype()) && is_floating(dst.dtype()) && is_tracked(*src);
  if (!any && !src_tracked) {
    NoGradGuard ng;
    write();
    return;
  }
  // The written value as a tracked array of dst's shape and dtype (before the write: src may alias dst).
  Array value;
  if (src_tracked) {
    value = *src;
    if (value.dtype() != dst.dtype()) value = astype(value, dst.dtype());
    if (value.shape() != dst.shape()) {
      while (value.ndim() > dst.ndim() && value.shape(0) == 1) value = squeeze(value, {0}, false);
      value = broadcast(value, dst.shape());
    }
  }
  {
    NoGradGuard ng;
    write();
  }
  finish_write(target, dst, owner, states, value);
}

std::vector<Array> call_ufunc_recorded(const Ufunc& uf, const std::vector<Operand>& inputs, const UfuncOptions& opt) {
  bool has_out = false;
  for (const auto& o : opt.out) has_out |= o.defined();
  std::vector<Array> outs;
  if (!has_out) {
    {
      NoGradGuard ng;
      outs = call_ufunc_untracked(uf, inputs, opt);
    }
    record_ufunc(uf, inputs, outs);
    return outs;
  }
  // out=: the value is computed and recorded out of place first (while every input's entry is
  // current), then the real call writes it and the write is recorded. Inputs that overlap an output
  // are read from copies so the values saved for backward are not overwritten.
  std::vector<Operand> ins = inputs;
  for (auto& in : ins)
    if (auto* a = std::get_if<Array>(&in))
      for (const auto& o : opt.out)
        if (o.defined() && a->may_share_memory(o) && is_tracked(*a)) {
          in = copy(*a, 'K');
          break;
        }
  UfuncOptions fresh = opt;
  fresh.out.clear();
  std::vector<Array> values;
  {
    NoGradGuard ng;
    values = call_ufunc_untracked(uf, ins, fresh);
  }
  record_ufunc(uf, ins, values);
  struct Pending {
    Array target, owner;
    std::vector<WriteState> states;
  };
  std::vector<Pending> pending(opt.out.size());
  bool any = false;
  for (size_t j = 0; j < opt.out.size(); ++j)
    if (opt.out[j].defined()) {
      pending[j].target = opt.out[j];
      pending[j].owner = owner_of(opt.out[j]);
      pending[j].states = prepare_write(opt.out[j], pending[j].owner, any);
    }
  {
    NoGradGuard ng;
    outs = call_ufunc_untracked(uf, ins, opt);
  }
  for (size_t j = 0; j < opt.out.size(); ++j)
    if (opt.out[j].defined()) finish_write(pending[j].target, pending[j].target, pending[j].owner, pending[j].states, values[j]);
  return outs;
}

// ---- views, copies, broadcasting, unbroadcasting ----

void record_view(const char* name, const Array& src, const Array& view) {
  if (!recording() || view.impl() == src.impl() || !is_floating(src.dtype())) return;
  if (view.storage() != src.storage()) {  // reshape that had to copy
    record(name, {src}, {view}, [shape = src.shape()](const Node&, const std::vector<Array>& g) {
      return std::vector<Array>{reshape(g[0], shape)};
    });
    return;
  }
  Geometry geo;
  if (!make_geometry(view, src, geo)) return;
  record(name, {src}, {view}, [geo](const Node&, const std::vector<Array>& g) {
    return std::vector<Array>{scatter(Array(), g[0], geo)};
  });
  if (view.impl()->grad_meta)
    for (auto& e : view.impl()->grad_meta->entries) e.view_src = src.impl();
}

void record_copy(const char* name, const Array& src, const Array& out) {
  if (!recording() || out.impl() == src.impl() || !is_floating(src.dtype())) return;
  record(name, {src}, {out}, [t = src.dtype()](const Node&, const std::vector<Array>& g) {
    return std::vector<Array>{g[0].dtype() == t ? g[0] : astype(g[0], t)};
  });
}

void record_broadcast(const Array& src, const Array& view) {
  if (!recording() || !is_floating(src.dtype())) return;
  record("broadcast_to", {src}, {view}, [s = src.shape()](const Node&, const std::vector<Array>& g) {
    return std::vector<Array>{sum_to_shape(g[0], s)};
  });
}

Array broadcast(const Array& a, const Shape& shape) {
  if (a.shape() == shape) return a;
  Array v = broadcast_to(a, shape, "broadcast_to");
  v.impl()->writeable = false;
  if (recording())
    record("broadcast_to", {a}, {v}, [s = a.shape()](const Node&, const std::vector<Array>& g) {
      return std::vector<Array>{sum_to_shape(g[0], s)};
    });
  return v;
}

Array sum_to_shape(const Array& g, const Shape& shape) {
  if (g.shape() == shape) return g;
  size_t nd = g.ndim();
  auto fail = [&] {
    throw ValueError(msg("grad", "cannot unbroadcast " + shape_str(g.shape()) + " to " + shape_str(shape) + "."));
  };
  if (shape.size() > nd) fail();
  size_t lead = nd - shape.size();
  // The native sum over the leading axes and the axes broadcast from length 1; sum records itself,
  // so this stays differentiable (its VJP broadcasts back).
  std::vector<int64_t> axes;
  for (size_t i = 0; i < nd; ++i) {
    if (i < lead) {
      axes.push_back(static_cast<int64_t>(i));
      continue;
    }
    int64_t d = shape[i - lead];
    if (d == g.shape(static_cast<int>(i))) continue;
    if (d != 1) fail();
    axes.push_back(static_cast<int64_t>(i));
  }
  ReduceOptions o;
  o.axis = Axes::of(axes);
  o.keepdims = true;
  Array s = sum(g, o);
  return reshape(s, shape);
}

Array flip(const Array& a, int axis) {
  std::vector<IndexItem> idx(static_cast<size_t>(axis) + 1);
  for (auto& it : idx) it.kind = IndexItem::Kind::Slice;
  idx.back().step = -1;
  return basic_index(a, idx);  // records the view
}

Array write_out(const Array& value, const Array& out, const std::function<void()>& raw_write) {
  if (!out.defined()) return value;
  bool fits = false;
  try {
    fits = broadcast_shapes(value.shape(), out.shape(), "out") == out.shape();
  } catch (const ValueError&) {
  }
  if (!fits) {
    NoGradGuard ng;
    raw_write();
    ++out.storage()->version;
    return out;
  }
  assign_recorded(out, &value, [&] {
    raw_write();
    ++out.storage()->version;
  });
  return out;
}

void no_gradient(const char* op, const std::vector<Array>& arrays) {
  if (!recording()) return;
  for (const auto& a : arrays)
    if (a.defined() && is_floating(a.dtype()) && is_tracked(a))
      throw TypeError(msg(op, "has no gradient in minpy: the result would not carry the gradient of its floating "
                              "inputs. Use differentiable ops, or minpy.core.stop_gradient on the input to "
                              "mean a constant."));
}

// ---- gather / scatter between an array and one of its views ----

bool make_geometry(const Array& view, const Array& src, Geometry& g) {
  if (view.storage() != src.storage() || view.dtype() != src.dtype()) return false;
  int64_t isz = static_cast<int64_t>(src.itemsize());
  for (int64_t s : src.strides()) if (s % isz) return false;
  for (int64_t s : view.strides()) if (s % isz) return false;
  g.src_shape = src.shape();
  g.src_strides = src.strides();
  g.view_shape = view.shape();
  g.view_strides = view.strides();
  g.view_offset = view.offset() - src.offset();
  g.dtype = src.dtype();
  int64_t lo = 0, hi = 0;
  if (src.size() > 0)
    for (int i = 0; i < src.ndim(); ++i) {
      int64_t span = (src.shape(i) - 1) * src.strides()[i];
      (span < 0 ? lo : hi) += span;
    }
  g.lo = lo;
  g.nelems = src.size() > 0 ? (hi - lo) / isz + 1 : 0;
  if (view.size() > 0) {  // the view must lie inside src's extent
    int64_t vlo = g.view_offset, vhi = g.view_offset;
    for (int i = 0; i < view.ndim(); ++i) {
      int64_t span = (view.shape(i) - 1) * view.strides()[i];
      (span < 0 ? vlo : vhi) += span;
    }
    if (vlo < lo || vhi > hi) return false;
  }
  return true;
}

static void buffers(const Geometry& g, Array& src_in_buf, Array& view_in_buf) {
  Array raw = Array::empty({std::max<int64_t>(g.nelems, 1)}, g.dtype);
  src_in_buf = raw.view(g.src_shape, g.src_strides, -g.lo);
  view_in_buf = raw.view(g.view_shape, g.view_strides, -g.lo + g.view_offset);
}

Array gather(const Array& x, const Geometry& g) {
  Array out;
  {
    NoGradGuard ng;
    Array s, v;
    buffers(g, s, v);
    assign(s, x);
    out = copy(v, 'C');
  }
  if (recording())
    record("view", {x}, {out}, [g](const Node&, const std::vector<Array>& gg) {
      return std::vector<Array>{scatter(Array(), gg[0], g)};
    });
  return out;
}

Array scatter(const Array& x, const Array& v, const Geometry& g) {
  Array out;
  {
    NoGradGuard ng;
    Array s, vb;
    buffers(g, s, vb);
    if (x.defined()) assign(s, x);
    else assign(s, Scalar::from_int(0));
    assign(vb, v);
    out = s;
  }
  if (recording())
    record("setitem", {x, v}, {out}, [g](const Node& n, const std::vector<Array>& gg) {
      std::vector<Array> r(2);
      if (n.needs_grad(0)) r[0] = scatter(gg[0], zeros(g.view_shape, gg[0].dtype()), g);
      if (n.needs_grad(1)) r[1] = gather(gg[0], g);
      return r;
    });
  return out;
}

}  // namespace minpy::autograd
