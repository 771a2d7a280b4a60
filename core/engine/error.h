// The engine's error type: a problem with the user's input (a model folder, a file, a request) that
// the user can fix. The message names the file or value and what is wrong, in one line.
#pragma once

#include <stdexcept>
#include <string>

namespace kinora::engine {

class EngineError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Thrown when a cancel flag stops a pipeline run; not an error for the user.
class Cancelled : public std::runtime_error {
public:
    Cancelled() : std::runtime_error("cancelled") {}
};

}  // namespace kinora::engine
