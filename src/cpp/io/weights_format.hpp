// Constants of the weights file layout shared by the reader and the writer (docs/weights_format.md).
#pragma once

#include <cstddef>
#include <cstdint>

#include "lstmcore/spec.hpp"

namespace lstmcore::detail {

inline constexpr unsigned char kWeightsMagic[8] = {0x89, 'L', 'C', 'W', '\r', '\n', 0x1A, '\n'};
inline constexpr std::size_t kPreambleSize = 24;  // magic, version, reserved, body_size
inline constexpr std::size_t kSpecSize = 40;
inline constexpr std::size_t kCrcSize = 4;
inline constexpr std::uint32_t kMaxNameLength = 255;
inline constexpr std::uint32_t kMaxNdim = 8;

// The spec block's codes index these; their order is Python's MODES / NONLINEARITIES.
inline constexpr Mode kModes[] = {Mode::rnn, Mode::lstm, Mode::gru};
inline constexpr Nonlinearity kNonlinearities[] = {Nonlinearity::tanh, Nonlinearity::relu};

// Bits of the spec block's flags word.
enum WeightsFlag : std::uint32_t {
  kFlagBias = 1u << 0,
  kFlagBatchFirst = 1u << 1,
  kFlagBidirectional = 1u << 2,
  kFlagPeephole = 1u << 3,
  kFlagCoupled = 1u << 4,
  kFlagLinearBeforeReset = 1u << 5,
  kFlagsKnown = (1u << 6) - 1,
};

}  // namespace lstmcore::detail
