// The frame timeline under the player: one thumbnail per frame, the playhead, and the in/out marks that
// the export uses as its trim. Click to seek, drag to scrub; the marks are set from the current frame (I
// and O) and cleared with Alt+X.
#pragma once

#include <QImage>
#include <QVector>
#include <QWidget>

namespace kinora::ui {

class TimelineWidget : public QWidget {
    Q_OBJECT
public:
    explicit TimelineWidget(QWidget* parent = nullptr);

    // Thumbnails are made here, once per clip, at the strip's height.
    void setFrames(const QVector<QImage>& frames);
    int frameCount() const { return int(thumbs_.size()); }
    int currentFrame() const { return current_; }
    // The marked range [in, out], inclusive; the whole clip when no marks are set.
    int inFrame() const { return in_; }
    int outFrame() const { return out_; }
    bool hasMarks() const { return in_ > 0 || out_ < frameCount() - 1; }
    // The frame under x (widget coordinates), clamped to the clip.
    int frameAt(int x) const;
    QRect cellRect(int frame) const;

    QSize sizeHint() const override { return {600, 76}; }
    QSize minimumSizeHint() const override { return {120, 52}; }

public slots:
    void setCurrentFrame(int frame);
    void markIn();
    void markOut();
    void clearMarks();

signals:
    void seekRequested(int frame);
    void marksChanged(int in, int out);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    void setMarks(int in, int out);
    void rebuildScaled();

    QVector<QImage> thumbs_;   // at kThumbHeight
    QVector<QImage> scaled_;   // at the cell size of the current width
    int current_ = 0;
    int in_ = 0, out_ = -1;
};

}  // namespace kinora::ui
