// Basic types shared by the public headers: the index type.
#pragma once

#include <cstdint>

namespace lstmcore {

// Sizes, strides and indices are signed 64-bit so products of shapes never overflow.
using Index = std::int64_t;

}  // namespace lstmcore
