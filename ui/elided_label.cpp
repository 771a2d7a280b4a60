#include "ui/elided_label.h"

#include <QEvent>

#include <algorithm>

namespace kinora::ui {

ElidedLabel::ElidedLabel(QWidget* parent) : QLabel(parent) {
    // Any width will do: the text adapts to it instead of asking the layout for room.
    setMinimumWidth(0);
    setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
}

void ElidedLabel::setFullText(const QString& text) {
    full_ = text;
    setToolTip(text);
    elide();
}

void ElidedLabel::resizeEvent(QResizeEvent* event) {
    QLabel::resizeEvent(event);
    elide();
}

void ElidedLabel::changeEvent(QEvent* event) {
    QLabel::changeEvent(event);
    if (event->type() == QEvent::FontChange || event->type() == QEvent::StyleChange) elide();
}

void ElidedLabel::elide() {
    const int room = contentsRect().width() - 2 * margin() - (indent() > 0 ? indent() : 0);
    setText(fontMetrics().elidedText(full_.simplified(), Qt::ElideRight, std::max(0, room)));
}

}  // namespace kinora::ui
