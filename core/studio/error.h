// The studio layer's error for problems the user can fix (an unknown model name, a corrupt database);
// the message is one line naming what is wrong and what to do.
#pragma once

#include <stdexcept>

namespace kinora::studio {

class StudioError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace kinora::studio
