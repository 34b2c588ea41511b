# Per-ISA compilation units: one function that every kernel folder uses, so all of them compile
# the same set of ISAs with the same flags (only on those files; never a machine-specific -march).
include(CheckCXXCompilerFlag)

set(_lstmcore_x86 OFF)
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64|x64|i[3-6]86)$")
  set(_lstmcore_x86 ON)
endif()
option(LSTMCORE_SIMD "Compile the AVX2 and AVX-512 kernels (x86-64)" ${_lstmcore_x86})

# lstmcore_add_isa_units(<stem> <defs_var>): adds <stem>_avx2.cpp and <stem>_avx512.cpp to
# lstmcore_core with their ISA's flags when the compiler supports them, and sets <defs_var> in the
# caller's scope to the LSTMCORE_HAVE_* definitions of the units added (for the dispatchers).
function(lstmcore_add_isa_units stem defs_var)
  set(defs)
  if(LSTMCORE_SIMD AND _lstmcore_x86)
    if(MSVC)
      set(avx2_flags /arch:AVX2)
      set(avx512_flags /arch:AVX512)
      set(have_avx2 ON)
      set(have_avx512 ON)
    else()
      set(avx2_flags -mavx2 -mfma)
      set(avx512_flags -mavx512f -mavx512dq -mavx512bw -mavx512vl -mavx2 -mfma)
      if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
        # GCC 12 warns about the deliberately undefined source vector inside its own AVX-512
        # intrinsics (_mm512_undefined_*), also where they are inlined: a false positive.
        list(APPEND avx512_flags -Wno-maybe-uninitialized -Wno-uninitialized)
      endif()
      check_cxx_compiler_flag("-mavx2 -mfma" LSTMCORE_COMPILER_HAS_AVX2)
      check_cxx_compiler_flag("-mavx512f -mavx512dq -mavx512bw -mavx512vl"
                              LSTMCORE_COMPILER_HAS_AVX512)
      set(have_avx2 ${LSTMCORE_COMPILER_HAS_AVX2})
      set(have_avx512 ${LSTMCORE_COMPILER_HAS_AVX512})
    endif()
    foreach(isa avx2 avx512)
      if(have_${isa})
        target_sources(lstmcore_core PRIVATE ${stem}_${isa}.cpp)
        set_source_files_properties(${stem}_${isa}.cpp
          TARGET_DIRECTORY lstmcore_core PROPERTIES COMPILE_OPTIONS "${${isa}_flags}")
        string(TOUPPER ${isa} ISA)
        list(APPEND defs LSTMCORE_HAVE_${ISA}=1)
      endif()
    endforeach()
  endif()
  set(${defs_var} "${defs}" PARENT_SCOPE)
endfunction()
