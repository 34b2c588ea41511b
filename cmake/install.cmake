# Install rules of the C++ library: headers, the library and a relocatable CMake package
# (lstmcoreConfig.cmake, lstmcoreConfigVersion.cmake, lstmcoreTargets.cmake).
# Included at the end of the top-level CMakeLists.txt so every target_link_libraries is known.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(LSTMCORE_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/lstmcore"
    CACHE STRING "Where the lstmcore CMake package files are installed (relative to the prefix)")

# Project-built libraries that the core links (e.g. per-ISA kernel libraries) must be exported
# with it, or install(EXPORT) refuses; imported dependencies become find_dependency() calls.
get_target_property(_lstmcore_links lstmcore_core LINK_LIBRARIES)
if(NOT _lstmcore_links)
  set(_lstmcore_links "")
endif()
set(_lstmcore_export_targets lstmcore_core)
set(LSTMCORE_CONFIG_DEPENDENCIES "")
foreach(_lib IN LISTS _lstmcore_links)
  string(REGEX REPLACE "^\\$<LINK_ONLY:(.*)>$" "\\1" _lib "${_lib}")
  if(TARGET "${_lib}")
    get_target_property(_imported "${_lib}" IMPORTED)
    get_target_property(_aliased "${_lib}" ALIASED_TARGET)
    if(NOT _imported AND NOT _aliased)
      list(APPEND _lstmcore_export_targets "${_lib}")
    endif()
  endif()
endforeach()
if(_lstmcore_links MATCHES "Threads::Threads")
  string(APPEND LSTMCORE_CONFIG_DEPENDENCIES "find_dependency(Threads)\n")
endif()
if(_lstmcore_links MATCHES "OpenMP::")
  string(APPEND LSTMCORE_CONFIG_DEPENDENCIES "find_dependency(OpenMP)\n")
endif()
if(_lstmcore_links MATCHES "CUDA::")
  string(APPEND LSTMCORE_CONFIG_DEPENDENCIES "find_dependency(CUDAToolkit)\n")
endif()
list(REMOVE_DUPLICATES _lstmcore_export_targets)

install(TARGETS ${_lstmcore_export_targets}
  EXPORT lstmcoreTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/src/cpp/include/lstmcore
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.hpp" PATTERN "*.h")
install(EXPORT lstmcoreTargets
  NAMESPACE lstmcore::
  FILE lstmcoreTargets.cmake
  DESTINATION ${LSTMCORE_INSTALL_CMAKEDIR})

configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/lstmcoreConfig.cmake.in
  ${PROJECT_BINARY_DIR}/lstmcoreConfig.cmake
  INSTALL_DESTINATION ${LSTMCORE_INSTALL_CMAKEDIR})
# Before 1.0 a minor release may break the API, so only the same minor version is compatible.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/lstmcoreConfigVersion.cmake
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMinorVersion)
install(FILES
  ${PROJECT_BINARY_DIR}/lstmcoreConfig.cmake
  ${PROJECT_BINARY_DIR}/lstmcoreConfigVersion.cmake
  DESTINATION ${LSTMCORE_INSTALL_CMAKEDIR})
