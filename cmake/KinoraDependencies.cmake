# Every third-party dependency, found once here. The dependency rules (DESIGN.md) are enforced by
# which target links what in core/*/CMakeLists.txt and checked by tests/rules.

# LibTorch: Debian's libtorch-dev (1.13.1, CPU) by default; a user's LibTorch 2.x (CPU or CUDA)
# through Torch_DIR or CMAKE_PREFIX_PATH.
# The imported `torch` target carries its include directories and ABI flag, so only core/engine,
# which links it, sees LibTorch at all.
find_package(Torch REQUIRED)
message(STATUS "Kinora: LibTorch ${Torch_VERSION} from ${Torch_DIR}")

find_package(nlohmann_json 3.10 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(SENTENCEPIECE REQUIRED IMPORTED_TARGET sentencepiece)
pkg_check_modules(FFMPEG REQUIRED IMPORTED_TARGET
  libavformat libavcodec libavfilter libswscale libavutil libswresample)
find_package(OpenCV 4 REQUIRED COMPONENTS core imgproc imgcodecs)
find_package(SQLite3 REQUIRED)

set(_kinora_qt_components Core Sql)
if(KINORA_BUILD_TESTS)
  list(APPEND _kinora_qt_components Test)
endif()
if(KINORA_BUILD_STUDIO)
  list(APPEND _kinora_qt_components Gui Widgets Concurrent LinguistTools)
endif()
find_package(Qt6 6.2 REQUIRED COMPONENTS ${_kinora_qt_components})
