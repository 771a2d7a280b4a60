// A one-line label that shows as much of its text as fits, ending in "…" when it is cut, with the whole
// text in its tooltip: a long prompt beside the player's controls must not be clipped mid-letter.
#pragma once

#include <QLabel>

namespace kinora::ui {

class ElidedLabel : public QLabel {
    Q_OBJECT
public:
    explicit ElidedLabel(QWidget* parent = nullptr);

    // The whole text (what QLabel::text() shows is this, elided to the width).
    void setFullText(const QString& text);
    QString fullText() const { return full_; }

protected:
    void resizeEvent(QResizeEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    void elide();
    QString full_;
};

}  // namespace kinora::ui
