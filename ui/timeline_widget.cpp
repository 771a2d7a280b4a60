#include "ui/timeline_widget.h"

#include <QMouseEvent>
#include <QPainter>

#include <algorithm>
#include <cmath>

namespace kinora::ui {
namespace {

constexpr int kThumbHeight = 64;  // stored thumbnails; cells are drawn from them
constexpr int kMargin = 4;
constexpr int kRuler = 14;  // frame numbers above the cells

}  // namespace

TimelineWidget::TimelineWidget(QWidget* parent) : QWidget(parent) {
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    setMinimumHeight(minimumSizeHint().height());
    setFixedHeight(sizeHint().height());
    setMouseTracking(false);
    setToolTip(tr("Click or drag to move through the clip. I and O mark the part to export, Alt+X clears the marks."));
}

void TimelineWidget::setFrames(const QVector<QImage>& frames) {
    thumbs_.clear();
    thumbs_.reserve(frames.size());
    for (const auto& f : frames) thumbs_.push_back(f.scaledToHeight(kThumbHeight, Qt::SmoothTransformation));
    current_ = 0;
    in_ = 0;
    out_ = frameCount() - 1;
    rebuildScaled();
    update();
    emit marksChanged(in_, out_);
}

QRect TimelineWidget::cellRect(int frame) const {
    const int n = std::max(1, frameCount());
    const double w = double(width() - 2 * kMargin) / n;
    const int x0 = kMargin + int(frame * w), x1 = kMargin + int((frame + 1) * w);
    return QRect(x0, kRuler, std::max(1, x1 - x0 - 1), height() - kRuler - kMargin);
}

int TimelineWidget::frameAt(int x) const {
    if (frameCount() == 0) return 0;
    const double w = double(width() - 2 * kMargin) / frameCount();
    return std::clamp(int((x - kMargin) / w), 0, frameCount() - 1);
}

void TimelineWidget::setCurrentFrame(int frame) {
    if (frameCount() == 0) return;
    frame = std::clamp(frame, 0, frameCount() - 1);
    if (frame == current_) return;
    current_ = frame;
    update();
}

void TimelineWidget::markIn() {
    if (frameCount() == 0) return;
    setMarks(current_, std::max(out_, current_));
}

void TimelineWidget::markOut() {
    if (frameCount() == 0) return;
    setMarks(std::min(in_, current_), current_);
}

void TimelineWidget::clearMarks() {
    if (frameCount() == 0) return;
    setMarks(0, frameCount() - 1);
}

void TimelineWidget::setMarks(int in, int out) {
    if (in == in_ && out == out_) return;
    in_ = in;
    out_ = out;
    update();
    emit marksChanged(in_, out_);
}

void TimelineWidget::rebuildScaled() {
    scaled_.clear();
    if (thumbs_.isEmpty()) return;
    const QSize cell = cellRect(0).size();
    for (const auto& t : thumbs_) {
        // Cropped to the cell's aspect around the centre: narrow cells still show the middle of the frame.
        QImage s = t.scaled(cell, Qt::KeepAspectRatioByExpanding, Qt::SmoothTransformation);
        scaled_.push_back(s.copy((s.width() - cell.width()) / 2, (s.height() - cell.height()) / 2, cell.width(), cell.height()));
    }
}

void TimelineWidget::resizeEvent(QResizeEvent*) { rebuildScaled(); }

void TimelineWidget::paintEvent(QPaintEvent*) {
    QPainter p(this);
    const QPalette pal = palette();
    p.fillRect(rect(), pal.color(QPalette::Base));
    if (thumbs_.isEmpty()) {
        p.setPen(pal.color(QPalette::PlaceholderText));
        p.drawText(rect(), Qt::AlignCenter, tr("No clip"));
        return;
    }
    const int n = frameCount();
    QFont small = font();
    small.setPointSizeF(std::max(6.0, small.pointSizeF() * 0.8));
    p.setFont(small);
    const int labelEvery = std::max(1, int(std::ceil(40.0 / std::max(1, cellRect(0).width()))));
    for (int i = 0; i < n; ++i) {
        const QRect r = cellRect(i);
        if (i < scaled_.size()) p.drawImage(r.topLeft(), scaled_[i]);
        if (i < in_ || i > out_) p.fillRect(r, QColor(0, 0, 0, 150));  // outside the marks: dimmed
        if (i % labelEvery == 0) {
            p.setPen(pal.color(QPalette::WindowText));
            p.drawText(QRect(r.left(), 0, 40, kRuler), Qt::AlignLeft | Qt::AlignVCenter, QString::number(i));
        }
    }
    // In/out brackets.
    const QColor markColor(0xf0, 0xb0, 0x30);
    p.setPen(QPen(markColor, 2));
    const QRect inCell = cellRect(in_), outCell = cellRect(out_);
    p.drawLine(inCell.topLeft(), inCell.bottomLeft());
    p.drawLine(inCell.topLeft(), inCell.topLeft() + QPoint(5, 0));
    p.drawLine(inCell.bottomLeft(), inCell.bottomLeft() + QPoint(5, 0));
    p.drawLine(outCell.topRight(), outCell.bottomRight());
    p.drawLine(outCell.topRight(), outCell.topRight() - QPoint(5, 0));
    p.drawLine(outCell.bottomRight(), outCell.bottomRight() - QPoint(5, 0));
    // Playhead: a frame around the current cell and a line through it.
    const QRect cur = cellRect(current_);
    p.setPen(QPen(pal.color(QPalette::Highlight), 2));
    p.drawRect(cur.adjusted(0, 0, -1, -1));
    p.setPen(QPen(QColor(0xff, 0x50, 0x50), 2));
    const int x = cur.center().x();
    p.drawLine(x, 0, x, height());
}

void TimelineWidget::mousePressEvent(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton || frameCount() == 0) return;
    const int f = frameAt(int(event->position().x()));
    setCurrentFrame(f);
    emit seekRequested(f);
}

void TimelineWidget::mouseMoveEvent(QMouseEvent* event) {
    if (!(event->buttons() & Qt::LeftButton) || frameCount() == 0) return;
    const int f = frameAt(int(event->position().x()));
    if (f == current_) return;
    setCurrentFrame(f);
    emit seekRequested(f);
}

}  // namespace kinora::ui
