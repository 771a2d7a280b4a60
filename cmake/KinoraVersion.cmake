# The kinora_version interface target provides <kinora_version.h>: the project version from
# project(VERSION) and `git describe` of the source tree. The header is rewritten at every build by
# GitDescribe.cmake but only touched when its text changes, so it costs nothing when nothing changed.
set(KINORA_GENERATED_DIR ${CMAKE_BINARY_DIR}/generated)
add_custom_target(kinora_version_header
  COMMAND ${CMAKE_COMMAND}
          -DSOURCE_DIR=${CMAKE_SOURCE_DIR}
          -DOUTPUT=${KINORA_GENERATED_DIR}/kinora_version.h
          -DVERSION=${PROJECT_VERSION}
          -P ${CMAKE_SOURCE_DIR}/cmake/GitDescribe.cmake
  BYPRODUCTS ${KINORA_GENERATED_DIR}/kinora_version.h
  COMMENT "Checking git describe"
  VERBATIM)
add_library(kinora_version INTERFACE)
add_dependencies(kinora_version kinora_version_header)
target_include_directories(kinora_version INTERFACE ${KINORA_GENERATED_DIR})
