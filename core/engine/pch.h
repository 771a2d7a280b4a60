// Precompiled header of core/engine: the LibTorch headers every engine source needs. Only the engine
// includes LibTorch; its public headers stay free of it so the app and studio compile fast.
#pragma once
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/version.h>
