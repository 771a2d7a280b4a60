# Compiler launcher, warnings and sanitizers for Kinora's own targets.

find_program(CCACHE_PROGRAM ccache)
if(CCACHE_PROGRAM AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  # Precompiled headers only hit the cache with these sloppiness flags (ccache manual, "Precompiled
  # headers"). ccache 4.7 (Debian 12) has no key=value launcher syntax, so pass them through the env.
  # CCACHE_BASEDIR + NOHASHDIR: paths inside the source tree are hashed relative to it, so a fresh clone
  # in another folder (CI) reuses the cache of earlier builds instead of recompiling everything.
  set(_kinora_ccache ${CMAKE_COMMAND} -E env
      CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
      CCACHE_BASEDIR=${CMAKE_SOURCE_DIR} CCACHE_NOHASHDIR=true
      ${CCACHE_PROGRAM})
  set(CMAKE_C_COMPILER_LAUNCHER ${_kinora_ccache})
  set(CMAKE_CXX_COMPILER_LAUNCHER ${_kinora_ccache})
  message(STATUS "Kinora: compiling through ccache (${CCACHE_PROGRAM})")
endif()

# Linking against LibTorch's large shared libraries is several times faster with gold (binutils)
# than with the default bfd linker; it matters on two cores.
# Not for the fuzz build: gold warns about every clang ASan helper symbol it cannot export.
find_program(KINORA_GOLD ld.gold)
if(KINORA_GOLD AND NOT KINORA_FUZZ)
  add_link_options(-fuse-ld=gold)
endif()

# kinora_warnings(target): -Wall -Wextra (and -Werror with KINORA_WERROR) for our own code only;
# third-party headers come in as SYSTEM includes so their warnings do not count against us.
add_library(kinora_warnings INTERFACE)
target_compile_options(kinora_warnings INTERFACE -Wall -Wextra -Wno-unused-parameter)
if(KINORA_WERROR)
  target_compile_options(kinora_warnings INTERFACE -Werror)
endif()

# KINORA_FUZZ: libFuzzer targets under tests/fuzz. libFuzzer ships with clang only. Everything is compiled
# with fuzzer-no-link coverage so the fuzzer is guided by the engine's parsers, and with ASan+UBSan
# unless KINORA_SANITIZE says otherwise.
if(KINORA_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "KINORA_FUZZ=ON needs clang: configure with -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++")
  endif()
  if(NOT KINORA_SANITIZE)
    set(KINORA_SANITIZE "address;undefined")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()

if(KINORA_SANITIZE)
  string(REPLACE ";" "," _kinora_san "${KINORA_SANITIZE}")
  add_compile_options(-fsanitize=${_kinora_san} -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=${_kinora_san})
  message(STATUS "Kinora: sanitizers ${_kinora_san}")
endif()
