// Umbrella header of the lstmcore C++ library.
#pragma once

#include "lstmcore/build_info.hpp"
#include "lstmcore/functional.hpp"
#include "lstmcore/params.hpp"
#include "lstmcore/spec.hpp"
#include "lstmcore/tape.hpp"
#include "lstmcore/types.hpp"
#include "lstmcore/views.hpp"
