// Arithmetic for vector-Jacobian products written with engine ops (so a backward pass run under an
// outer tape is recorded, and differentiable again).
#pragma once
#include "minpy/ufunc.h"

namespace minpy::autograd::arith {

inline Scalar F(double v) { return Scalar::from_float(v); }
inline Array mul(const Operand& a, const Operand& b) { return ufunc2("multiply", a, b); }
inline Array div(const Operand& a, const Operand& b) { return ufunc2("true_divide", a, b); }
inline Array add(const Operand& a, const Operand& b) { return ufunc2("add", a, b); }
inline Array sub(const Operand& a, const Operand& b) { return ufunc2("subtract", a, b); }
inline Array neg(const Operand& a) { return ufunc1("negative", a); }
inline Array sq(const Operand& a) { return mul(a, a); }

}  // namespace minpy::autograd::arith
