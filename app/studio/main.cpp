// `kinora-studio`: the desktop application.
#include "ui/theme.h"

#include <QApplication>

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    kinora::ui::applyTheme(app, kinora::ui::Theme::Dark);
    return 0;
}
