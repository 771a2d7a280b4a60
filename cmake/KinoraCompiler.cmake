# Compiler launcher, warnings and sanitizers for Kinora's own targets.

find_program(CCACHE_PROGRAM ccache)
if(CCACHE_PROGRAM AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  # Precompiled headers only hit the cache with these sloppiness flags (ccache manual, "Precompiled
  # headers"). ccache 4.7 (Debian 12) has no key=value launcher syntax, so pass them through the env.
  set(_kinora_ccache ${CMAKE_COMMAND} -E env
      CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
      ${CCACHE_PROGRAM})
  set(CMAKE_C_COMPILER_LAUNCHER ${_kinora_ccache})
  set(CMAKE_CXX_COMPILER_LAUNCHER ${_kinora_ccache})
  message(STATUS "Kinora: compiling through ccache (${CCACHE_PROGRAM})")
endif()

# Linking against LibTorch's large shared libraries is several times faster with gold (binutils)
# than with the default bfd linker; it matters on two cores.
find_program(KINORA_GOLD ld.gold)
if(KINORA_GOLD)
  add_link_options(-fuse-ld=gold)
endif()

# kinora_warnings(target): -Wall -Wextra (and -Werror with KINORA_WERROR) for our own code only;
# third-party headers come in as SYSTEM includes so their warnings do not count against us.
add_library(kinora_warnings INTERFACE)
target_compile_options(kinora_warnings INTERFACE -Wall -Wextra -Wno-unused-parameter)
if(KINORA_WERROR)
  target_compile_options(kinora_warnings INTERFACE -Werror)
endif()

if(KINORA_SANITIZE)
  string(REPLACE ";" "," _kinora_san "${KINORA_SANITIZE}")
  add_compile_options(-fsanitize=${_kinora_san} -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=${_kinora_san})
  message(STATUS "Kinora: sanitizers ${_kinora_san}")
endif()
