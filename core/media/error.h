// The media layer's error: one line that names the file and says what to do about it.
#pragma once

#include <stdexcept>
#include <string>

namespace kinora::media {

class MediaError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace kinora::media
