#include "ui/frame_view.h"

#include <QPainter>

#include <cmath>

namespace kinora::ui {

FrameView::FrameView(QWidget* parent) : QWidget(parent) {
    setAttribute(Qt::WA_OpaquePaintEvent);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void FrameView::setImage(const QImage& image) {
    image_ = image;
    update();
}

void FrameView::setPlaceholder(const QString& text) {
    placeholder_ = text;
    if (image_.isNull()) update();
}

void FrameView::setZoom(Zoom zoom) {
    zoom_ = zoom;
    update();
}

QRect FrameView::frameRect() const {
    if (image_.isNull()) return {};
    const QSize avail = size();
    QSize s = image_.size();
    if (zoom_ == Zoom::Fit) {
        s = s.scaled(avail, Qt::KeepAspectRatio);
        // Upscaling by a whole factor keeps every source pixel the same size on screen.
        const double factor = double(s.width()) / image_.width();
        if (factor >= 2.0) {
            const int whole = int(std::floor(factor));
            s = image_.size() * whole;
        }
    }
    return QRect(QPoint((avail.width() - s.width()) / 2, (avail.height() - s.height()) / 2), s);
}

void FrameView::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.fillRect(rect(), QColor(0x12, 0x12, 0x12));
    if (image_.isNull()) {
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(rect().adjusted(16, 16, -16, -16), Qt::AlignCenter | Qt::TextWordWrap, placeholder_);
        return;
    }
    const QRect target = frameRect();
    const bool upscaling = target.width() > image_.width();
    p.setRenderHint(QPainter::SmoothPixmapTransform, !upscaling);
    p.drawImage(target, image_);
}

}  // namespace kinora::ui
