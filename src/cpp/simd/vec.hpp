// Selects the vector backend of the current translation unit from LSTMCORE_SIMD_LEVEL.
//
// Code written against Vec<T> is compiled once per ISA: each per-ISA translation unit defines
// LSTMCORE_SIMD_LEVEL (0 baseline, 1 AVX2+FMA, 2 AVX-512) and is built with the matching
// compiler flags. Everything SIMD lives in a namespace named after the ISA (LSTMCORE_ISA_NS) so
// that inline functions of different ISAs never merge at link time (ODR), and no SIMD value may
// live at namespace or static scope (it would execute ISA instructions at load time: SIGILL).
#pragma once

#ifndef LSTMCORE_SIMD_LEVEL
#error "define LSTMCORE_SIMD_LEVEL (0, 1 or 2) before including simd/vec.hpp"
#endif

#if LSTMCORE_SIMD_LEVEL == 2
#define LSTMCORE_ISA_NS avx512
#include "simd/vec_avx512.hpp"
#elif LSTMCORE_SIMD_LEVEL == 1
#define LSTMCORE_ISA_NS avx2
#include "simd/vec_avx2.hpp"
#elif LSTMCORE_SIMD_LEVEL == 0
#define LSTMCORE_ISA_NS baseline
#include "simd/vec_portable.hpp"
#else
#error "unknown LSTMCORE_SIMD_LEVEL"
#endif
