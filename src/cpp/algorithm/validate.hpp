// Argument checks of forward() and backward(): done once at the entry, std::invalid_argument
// naming the argument, what was expected and what came.
#pragma once

#include <array>
#include <string>

#include "lstmcore/functional.hpp"

namespace lstmcore::detail {

std::string shape_string(const Index* shape, int n);

// Throws unless the view is present (or, with optional, absent) and has exactly `shape`.
template <class T>
void check_view(const char* name, const View3<T>& v, const std::array<Index, 3>& shape,
                bool optional);

// Throws unless every parameter the spec needs has a pointer.
template <class P>
void check_param_set(const RNNSpec& spec, const ParamSet<P>& params, const char* name);

void check_lengths(const Index* lengths, Index B, Index T);

}  // namespace lstmcore::detail
