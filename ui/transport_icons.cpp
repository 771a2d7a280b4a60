#include "ui/transport_icons.h"

#include <QPainter>
#include <QPainterPath>
#include <QPixmap>

namespace kinora::ui {
namespace {

QPixmap draw(TransportIcon kind, const QColor& colour, int side) {
    QPixmap pm(side, side);
    pm.fill(Qt::transparent);
    QPainter p(&pm);
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(Qt::NoPen);
    p.setBrush(colour);
    const double s = side / 24.0;  // drawn on a 24-unit grid
    auto triangle = [&](double x0, double x1, bool right) {
        QPainterPath t;
        t.moveTo((right ? x0 : x1) * s, 5 * s);
        t.lineTo((right ? x1 : x0) * s, 12 * s);
        t.lineTo((right ? x0 : x1) * s, 19 * s);
        t.closeSubpath();
        p.drawPath(t);
    };
    auto bar = [&](double x, double w) { p.drawRect(QRectF(x * s, 5 * s, w * s, 14 * s)); };
    switch (kind) {
        case TransportIcon::Play: triangle(7, 19, true); break;
        case TransportIcon::Pause: bar(7, 3.5); bar(13.5, 3.5); break;
        case TransportIcon::StepBack: bar(6, 2.5); triangle(9.5, 18, false); break;
        case TransportIcon::StepForward: triangle(6, 14.5, true); bar(15.5, 2.5); break;
        case TransportIcon::ToStart: bar(4, 2.5); triangle(7, 13.5, false); triangle(13.5, 20, false); break;
        case TransportIcon::ToEnd: triangle(4, 10.5, true); triangle(10.5, 17, true); bar(17.5, 2.5); break;
        case TransportIcon::Loop: {
            p.setBrush(Qt::NoBrush);
            p.setPen(QPen(colour, 2.2 * s, Qt::SolidLine, Qt::RoundCap));
            p.drawArc(QRectF(5 * s, 6 * s, 14 * s, 12 * s), 30 * 16, 300 * 16);
            p.setPen(Qt::NoPen);
            p.setBrush(colour);
            QPainterPath head;  // arrow head at the arc's start (upper right), pointing up
            head.moveTo(19.5 * s, 4.5 * s);
            head.lineTo(20.5 * s, 11 * s);
            head.lineTo(14.5 * s, 8.5 * s);
            head.closeSubpath();
            p.drawPath(head);
            break;
        }
    }
    return pm;
}

}  // namespace

QIcon transportIcon(TransportIcon kind, const QPalette& palette) {
    QIcon icon;
    for (int side : {16, 20, 24, 32, 48}) {
        icon.addPixmap(draw(kind, palette.color(QPalette::Active, QPalette::ButtonText), side), QIcon::Normal);
        icon.addPixmap(draw(kind, palette.color(QPalette::Disabled, QPalette::ButtonText), side), QIcon::Disabled);
    }
    return icon;
}

}  // namespace kinora::ui
