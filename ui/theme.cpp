#include "ui/theme.h"

#include <QApplication>
#include <QPalette>
#include <QStyle>
#include <QStyleFactory>

namespace kinora::ui {
namespace {

// Captured before the first switch, so that "follow the system" can go back to it.
struct SystemLook {
    QString style;
    QPalette palette;
    bool captured = false;
};

SystemLook& systemLook() {
    static SystemLook look;
    return look;
}

QPalette darkPalette() {
    // Neutral greys (no blue tint) around the video; the accent is a muted blue used for selection only.
    const QColor window(0x2b, 0x2b, 0x2b), base(0x1e, 0x1e, 0x1e), alt(0x26, 0x26, 0x26), text(0xe6, 0xe6, 0xe6),
        disabled(0x80, 0x80, 0x80), button(0x35, 0x35, 0x35), accent(0x3d, 0x7a, 0xc7);
    QPalette p;
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, alt);
    p.setColor(QPalette::ToolTipBase, QColor(0x40, 0x40, 0x40));
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, QColor(0x90, 0x90, 0x90));
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, button);
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, QColor(0xff, 0x6b, 0x6b));
    p.setColor(QPalette::Link, QColor(0x6f, 0xa8, 0xef));
    p.setColor(QPalette::Highlight, accent);
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Light, QColor(0x4a, 0x4a, 0x4a));
    p.setColor(QPalette::Midlight, QColor(0x40, 0x40, 0x40));
    p.setColor(QPalette::Mid, QColor(0x30, 0x30, 0x30));
    p.setColor(QPalette::Dark, QColor(0x1a, 0x1a, 0x1a));
    p.setColor(QPalette::Shadow, Qt::black);
    for (auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText}) {
        p.setColor(QPalette::Disabled, role, disabled);
    }
    p.setColor(QPalette::Disabled, QPalette::Highlight, QColor(0x50, 0x50, 0x50));
    return p;
}

}  // namespace

Theme themeFromName(const QString& name) {
    return name.compare(QLatin1String("dark"), Qt::CaseInsensitive) == 0 ? Theme::Dark : Theme::System;
}

QString themeName(Theme theme) { return theme == Theme::Dark ? QStringLiteral("dark") : QStringLiteral("system"); }

void applyTheme(QApplication& app, Theme theme) {
    auto& look = systemLook();
    if (!look.captured) {
        look.style = app.style()->name();
        look.palette = app.palette();
        look.captured = true;
    }
    if (theme == Theme::Dark) {
        // Fusion draws every control from the palette, so the dark colours apply everywhere.
        app.setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
        app.setPalette(darkPalette());
    } else {
        if (QStyle* s = QStyleFactory::create(look.style)) app.setStyle(s);
        app.setPalette(look.palette);
    }
}

}  // namespace kinora::ui
