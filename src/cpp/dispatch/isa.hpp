// Run-time choice of the instruction set (ISA) the kernels use: the one place that decides.
//
// The active ISA is the best one that was compiled in, that the CPU and the OS support (cpuid +
// xgetbv), capped by the environment variable LSTMCORE_MAX_ISA (avx512, avx2, baseline; read
// once, at first use) and by set_max_isa(). Lowering the cap lets every compiled ISA be tested
// on one machine.
#pragma once

#include <string>
#include <vector>

#include "kernels/kernel_table.hpp"

namespace lstmcore::dispatch {

enum class Isa : int { kBaseline = 0, kAvx2 = 1, kAvx512 = 2 };

// "baseline", "avx2", "avx512".
const char* isa_name(Isa isa);
// Parses a name of isa_name() (case-insensitive); false when unknown.
bool parse_isa(const std::string& name, Isa* out);

// The best ISA compiled in and supported by this CPU and OS (ignores the caps).
Isa best_supported_isa();
// Every compiled ISA this machine can run, lowest first.
std::vector<Isa> supported_isas();

// The ISA the kernels use now.
Isa active_isa();
// Caps the active ISA at `cap` (the environment cap still applies; a cap above what the machine
// supports is harmless). Not to be called while kernels run on other threads.
void set_max_isa(Isa cap);
// Drops the set_max_isa() cap (back to the environment cap).
void reset_max_isa();

// The kernels of the active ISA, or of a given supported ISA (tests compare ISAs this way).
const kernels::KernelTable& active_kernels();
const kernels::KernelTable& kernels_for(Isa isa);

}  // namespace lstmcore::dispatch
