// The player's transport icons (play, pause, frame steps, start/end, loop), drawn in the palette's text
// colour: the style's stock media icons are mid-grey, which on the dark theme reads as "disabled".
#pragma once

#include <QIcon>
#include <QPalette>

namespace kinora::ui {

enum class TransportIcon { Play, Pause, StepBack, StepForward, ToStart, ToEnd, Loop };

QIcon transportIcon(TransportIcon kind, const QPalette& palette);

}  // namespace kinora::ui
