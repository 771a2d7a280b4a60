// Paints one frame of a clip, centred on a dark surround: fitted to the widget or at 1:1. Small clips
// scaled up are drawn with nearest-neighbour sampling, so 128x128 pixels stay crisp squares instead of
// a blur; scaling down is smoothed.
#pragma once

#include <QImage>
#include <QWidget>

namespace kinora::ui {

class FrameView : public QWidget {
    Q_OBJECT
public:
    enum class Zoom { Fit, Actual };

    explicit FrameView(QWidget* parent = nullptr);

    void setImage(const QImage& image);  // shared, not copied (QImage is implicitly shared)
    void setPlaceholder(const QString& text);
    void setZoom(Zoom zoom);
    Zoom zoom() const { return zoom_; }
    const QImage& image() const { return image_; }
    // Where the frame lands in widget coordinates for the current size and zoom.
    QRect frameRect() const;

    QSize sizeHint() const override { return {512, 512}; }
    QSize minimumSizeHint() const override { return {160, 120}; }

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    QImage image_;
    QString placeholder_;
    Zoom zoom_ = Zoom::Fit;
};

}  // namespace kinora::ui
