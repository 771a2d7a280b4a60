// The studio's look: the system's own style and palette, or a dark theme made for looking at video
// (neutral greys, so that no tint around the player changes how the clip's colours are perceived).
#pragma once

#include <QString>

class QApplication;

namespace kinora::ui {

enum class Theme { System, Dark };

// "system" / "dark" as stored in the settings; anything else reads as System.
Theme themeFromName(const QString& name);
QString themeName(Theme theme);

// Applies the theme to the whole application (style, palette). Safe to call again to switch.
void applyTheme(QApplication& app, Theme theme);

}  // namespace kinora::ui
