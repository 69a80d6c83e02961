// The array: a handle to a descriptor (shape, byte strides, byte offset, dtype, flags) over shared
// storage. Views share storage, so a write through any view is seen by every other view and the base.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "minpy/dtype.h"

namespace minpy {

using Shape = std::vector<int64_t>;
namespace autograd { struct AutogradMeta; }

enum class DeviceType : uint8_t { CPU, CUDA };
struct Device {
  DeviceType type = DeviceType::CPU;
  int index = 0;
  bool operator==(const Device&) const = default;
  std::string str() const;
};
inline constexpr Device kCPU{};

// A block of memory on one device. Freed when the last array using it goes away.
struct Storage {
  void* data = nullptr;
  size_t nbytes = 0;
  Device device;
  std::shared_ptr<void> external_owner;  // set when wrapping memory owned by someone else
  // Bumped by every in-place write (ufunc out=, assign/setitem/fill). Autograd compares it with the
  // version it saw when it saved an array for the backward pass, to refuse stale values.
  uint64_t version = 0;
  Storage(size_t nbytes, Device device);  // allocates; MemoryError (std::bad_alloc) on failure
  Storage(void* data, size_t nbytes, Device device, std::shared_ptr<void> owner);
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;
  ~Storage();

  // Small arrays live inside the Storage object itself: one allocation per new array.
  static constexpr size_t kInlineBytes = 128;
  alignas(16) unsigned char inline_data[kInlineBytes];
};

struct ArrayImpl {
  // User-provided (every member has an initializer): make_shared's value-initialisation then runs
  // just this constructor instead of first zeroing the whole object (a `rep stos` per new array).
  ArrayImpl() noexcept {}
  std::shared_ptr<Storage> storage;
  Shape shape;
  Shape strides;       // in bytes, may be negative or zero
  int64_t offset = 0;  // in bytes, from storage->data
  int64_t size = 1;
  DType dtype = DType::Float64;
  bool writeable = true;
  std::shared_ptr<ArrayImpl> base;  // the array that owns the data (NumPy collapses chains of views)
  void* binding_object = nullptr;   // the live Python wrapper of this array, if any (not owned)
  // Autograd: the node that produced this value on each live tape (null when never tracked).
  std::shared_ptr<autograd::AutogradMeta> grad_meta;
};

// A new (empty) descriptor / storage of nbytes, from a per-thread pool of small blocks: cheaper
// than make_shared for the short-lived arrays of small-array code.
std::shared_ptr<ArrayImpl> new_array_impl();
std::shared_ptr<Storage> new_storage(size_t nbytes, Device device);

class Array {
 public:
  Array() = default;
  explicit Array(std::shared_ptr<ArrayImpl> impl) : impl_(std::move(impl)) {}

  // A new C-contiguous array with uninitialised contents.
  static Array empty(const Shape& shape, DType dtype, Device device = kCPU);
  // A new array laid out with the axis order of `like` (NumPy's order='K'); C order if ambiguous.
  static Array empty_like_layout(const Array& like, const Shape& shape, DType dtype);
  // A view of this array's storage with the given layout; offset is relative to this array's data.
  // (shape and strides are taken by value: callers that build them can move them in)
  Array view(Shape shape, Shape strides, int64_t offset_bytes, DType dtype) const;
  Array view(Shape shape, Shape strides, int64_t offset_bytes) const {
    return view(std::move(shape), std::move(strides), offset_bytes, dtype());
  }

  bool defined() const { return impl_ != nullptr; }
  const Shape& shape() const { return impl_->shape; }
  const Shape& strides() const { return impl_->strides; }
  int64_t shape(int axis) const { return impl_->shape[axis]; }
  int ndim() const { return static_cast<int>(impl_->shape.size()); }
  int64_t size() const { return impl_->size; }
  DType dtype() const { return impl_->dtype; }
  size_t itemsize() const { return minpy::itemsize(impl_->dtype); }
  int64_t nbytes() const { return size() * static_cast<int64_t>(itemsize()); }
  int64_t offset() const { return impl_->offset; }
  Device device() const { return impl_->storage->device; }
  bool writeable() const { return impl_->writeable; }
  void set_writeable(bool w) const;
  bool c_contiguous() const;
  bool f_contiguous() const;
  bool owns_data() const { return impl_->base == nullptr; }
  Array base() const { return Array(impl_->base); }
  const std::shared_ptr<Storage>& storage() const { return impl_->storage; }
  const std::shared_ptr<ArrayImpl>& impl() const { return impl_; }

  // Host pointer to element 0. Only kernels of the CPU backend may use it.
  char* data() const { return static_cast<char*>(impl_->storage->data) + impl_->offset; }
  template <class T> T* data_as() const { return reinterpret_cast<T*>(data()); }
  // True when both arrays may touch a common byte (conservative: compares address ranges).
  bool may_share_memory(const Array& other) const;
  bool same_layout(const Array& other) const;

 private:
  std::shared_ptr<ArrayImpl> impl_;
};

// Shape helpers shared by every op family.
int64_t shape_size(const Shape& shape);  // ValueError when the product overflows int64
Shape c_strides(const Shape& shape, int64_t itemsize);
int normalize_axis(int64_t axis, int ndim, const char* op);  // AxisError when out of range
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op);
// A view of `a` broadcast to `shape` (zero strides on new or stretched axes).
Array broadcast_to(const Array& a, const Shape& shape, const char* op = "broadcast_to");
std::string shape_str(const Shape& shape);  // "(2, 3)" as NumPy prints it

}  // namespace minpy
