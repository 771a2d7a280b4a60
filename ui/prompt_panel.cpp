#include "ui/prompt_panel.h"

#include "studio/job_request.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QStyle>
#include <QStyleOptionFrame>
#include <QToolButton>
#include <QVBoxLayout>

#include <cmath>
#include <exception>
#include <functional>
#include <utility>

namespace kinora::ui {
namespace {

constexpr int kMaxRecent = 20;

struct SizePreset {
    int width, height;
};
// Sizes people ask for: the bundled model's square, a larger square, and Wan2.1's portrait and
// landscape sizes. "Model default" comes first and "Custom" last.
constexpr SizePreset kSizes[] = {{128, 128}, {256, 256}, {480, 832}, {832, 480}};

QString sizeText(int w, int h) { return QStringLiteral("%1 × %2").arg(w).arg(h); }

}  // namespace

PromptPanel::PromptPanel(QWidget* parent) : QWidget(parent) {
    prompt_ = new QPlainTextEdit(this);
    prompt_->setObjectName(QStringLiteral("promptEdit"));
    prompt_->setPlaceholderText(tr("Describe the clip, e.g. “a red circle moving left on a black background”"));
    prompt_->setWordWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    prompt_->setTabChangesFocus(true);
    prompt_->setMinimumHeight(prompt_->fontMetrics().lineSpacing() * 4);
    recentButton_ = new QToolButton(this);
    recentButton_->setText(tr("Recent"));
    recentButton_->setToolTip(tr("Prompts you used recently"));
    recentButton_->setPopupMode(QToolButton::InstantPopup);
    recentButton_->setMenu(new QMenu(recentButton_));

    negativeToggle_ = new QToolButton(this);
    negativeToggle_->setText(tr("Negative prompt"));
    negativeToggle_->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    negativeToggle_->setArrowType(Qt::RightArrow);
    negativeToggle_->setCheckable(true);
    negativeToggle_->setAutoRaise(true);
    negative_ = new QPlainTextEdit(this);
    negative_->setObjectName(QStringLiteral("negativeEdit"));
    negative_->setPlaceholderText(tr("What the clip should not show (optional)"));
    negative_->setTabChangesFocus(true);
    negative_->setMaximumHeight(negative_->fontMetrics().lineSpacing() * 4);
    negative_->setVisible(false);
    connect(negativeToggle_, &QToolButton::toggled, this, [this](bool on) {
        negative_->setVisible(on);
        negativeToggle_->setArrowType(on ? Qt::DownArrow : Qt::RightArrow);
    });

    model_ = new QComboBox(this);
    model_->setObjectName(QStringLiteral("modelBox"));
    model_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    model_->setMinimumContentsLength(12);

    sizePreset_ = new QComboBox(this);
    width_ = new QSpinBox(this);
    height_ = new QSpinBox(this);
    for (auto* s : {width_, height_}) {
        s->setRange(16, 4096);
        s->setSingleStep(16);
        s->setSuffix(tr(" px"));
        s->setKeyboardTracking(true);
    }
    width_->setToolTip(tr("Width in pixels: a multiple of 16"));
    height_->setToolTip(tr("Height in pixels: a multiple of 16"));
    frames_ = new QSpinBox(this);
    frames_->setRange(1, 1001);
    frames_->setSingleStep(4);
    frames_->setToolTip(tr("Frames: 1, 5, 9, 13, … (4k+1, as the video autoencoder needs)"));
    duration_ = new QLabel(this);
    steps_ = new QSpinBox(this);
    steps_->setRange(1, 200);
    steps_->setToolTip(tr("Denoising steps: more is slower; past the model's default, rarely better"));
    guidance_ = new QDoubleSpinBox(this);
    guidance_->setRange(1.0, 20.0);
    guidance_->setSingleStep(0.5);
    guidance_->setDecimals(1);
    guidance_->setToolTip(tr("How strongly the clip follows the prompt; 1 turns guidance off (twice as fast)"));
    sampler_ = new QComboBox(this);
    sampler_->addItem(tr("Model default"), QString());
    sampler_->addItem(tr("UniPC"), QStringLiteral("unipc"));
    sampler_->addItem(tr("Euler"), QStringLiteral("euler"));

    seed_ = new QLineEdit(this);
    seed_->setObjectName(QStringLiteral("seedEdit"));
    seed_->setValidator(new QRegularExpressionValidator(QRegularExpression(QStringLiteral("[0-9]{1,19}")), seed_));
    seed_->setToolTip(tr("The same seed with the same settings gives the same clip"));
    // Room for all 19 digits of the largest seed: a seed cut off at either end reads as another number.
    {
        QStyleOptionFrame frame;
        frame.initFrom(seed_);
        const QSize text(seed_->fontMetrics().horizontalAdvance(QStringLiteral("0000000000000000000")) + 8, seed_->fontMetrics().height());
        seed_->setMinimumWidth(seed_->style()->sizeFromContents(QStyle::CT_LineEdit, &frame, text, seed_).width());
    }
    lock_ = new QToolButton(this);
    lock_->setText(tr("Lock"));
    lock_->setCheckable(true);
    lock_->setToolTip(tr("Keep this seed for the next clips (otherwise every clip gets a new random seed)"));
    dice_ = new QToolButton(this);
    dice_->setText(tr("Random"));
    dice_->setToolTip(tr("New random seed"));
    connect(dice_, &QToolButton::clicked, this, &PromptPanel::rollSeed);
    // Typing a seed means wanting that seed.
    connect(seed_, &QLineEdit::textEdited, this, [this] { lock_->setChecked(true); });

    errorLabel_ = new QLabel(this);
    errorLabel_->setObjectName(QStringLiteral("validationError"));
    errorLabel_->setWordWrap(true);
    errorLabel_->setStyleSheet(QStringLiteral("color: #e06c6c;"));
    errorLabel_->setVisible(false);

    generate_ = new QPushButton(tr("Generate"), this);
    generate_->setObjectName(QStringLiteral("generateButton"));
    generate_->setDefault(true);
    generate_->setToolTip(tr("Queue this clip (Ctrl+Return)"));
    generate_->setMinimumHeight(generate_->sizeHint().height() * 3 / 2);
    connect(generate_, &QPushButton::clicked, this, &PromptPanel::generate);

    // Layout.
    auto* promptHeader = new QHBoxLayout;
    promptHeader->addWidget(new QLabel(tr("Prompt"), this), 1);
    promptHeader->addWidget(recentButton_);
    auto* sizeRow = new QHBoxLayout;
    sizeRow->addWidget(width_);
    sizeRow->addWidget(new QLabel(QStringLiteral("×"), this));
    sizeRow->addWidget(height_);
    auto* lengthRow = new QHBoxLayout;
    lengthRow->addWidget(frames_);
    lengthRow->addWidget(duration_, 1);
    auto* seedRow = new QHBoxLayout;
    seedRow->addWidget(seed_, 1);
    seedRow->addWidget(lock_);
    seedRow->addWidget(dice_);
    auto* form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(tr("Model"), model_);
    form->addRow(tr("Size"), sizePreset_);
    form->addRow(QString(), sizeRow);
    form->addRow(tr("Frames"), lengthRow);
    form->addRow(tr("Steps"), steps_);
    form->addRow(tr("Guidance"), guidance_);
    form->addRow(tr("Sampler"), sampler_);
    form->addRow(tr("Seed"), seedRow);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(promptHeader);
    layout->addWidget(prompt_, 1);
    layout->addWidget(negativeToggle_, 0, Qt::AlignLeft);
    layout->addWidget(negative_, 1);
    layout->addLayout(form);
    layout->addWidget(errorLabel_);
    layout->addWidget(generate_);
    layout->addStretch(1);

    connect(model_, &QComboBox::currentIndexChanged, this, &PromptPanel::modelChanged);
    connect(sizePreset_, &QComboBox::currentIndexChanged, this, &PromptPanel::sizePresetChanged);
    connect(prompt_, &QPlainTextEdit::textChanged, this, &PromptPanel::validate);
    connect(negative_, &QPlainTextEdit::textChanged, this, &PromptPanel::validate);
    for (auto* s : {width_, height_, frames_, steps_}) connect(s, &QSpinBox::valueChanged, this, &PromptPanel::validate);
    connect(guidance_, &QDoubleSpinBox::valueChanged, this, &PromptPanel::validate);
    connect(seed_, &QLineEdit::textChanged, this, &PromptPanel::validate);
    rollSeed();
    validate();
}

void PromptPanel::setModels(const QVector<engine::ModelSummary>& models, const QString& preferred, bool keepChoice) {
    filling_ = true;
    const QString previous = keepChoice ? modelPath() : QString();
    models_ = models;
    model_->clear();
    for (int i = 0; i < models_.size(); ++i) {
        const auto& m = models_[i];
        const QString name = QString::fromStdString(m.name);
        if (m.ok()) {
            model_->addItem(QStringLiteral("%1 (%2)").arg(name, sizeText(m.defaults.width, m.defaults.height)), QString::fromStdString(m.path));
        } else {
            model_->addItem(tr("%1 (cannot be used)").arg(name), QString::fromStdString(m.path));
            // Listed so the person sees it was found, but not selectable; the tooltip says why.
            if (auto* items = qobject_cast<QStandardItemModel*>(model_->model())) items->item(i)->setEnabled(false);
        }
        model_->setItemData(i,
                            m.ok() ? tr("%1\nNative size %2, %3 frames at %4 fps\n%5")
                                         .arg(name, sizeText(m.defaults.width, m.defaults.height))
                                         .arg(m.defaults.frames)
                                         .arg(m.defaults.fps)
                                         .arg(QString::fromStdString(m.path))
                                   : QString::fromStdString(m.error),
                            Qt::ToolTipRole);
    }
    // The model chosen before (a refresh keeps it), else the preferred one (name or folder), else the
    // first usable one.
    auto find = [this](const std::function<bool(const engine::ModelSummary&)>& match) {
        for (int i = 0; i < models_.size(); ++i) {
            if (models_[i].ok() && match(models_[i])) return i;
        }
        return -1;
    };
    int select = previous.isEmpty() ? -1 : find([&](const auto& m) { return QString::fromStdString(m.path) == previous; });
    if (select < 0) {
        select = find([&](const auto& m) {
            return QString::fromStdString(m.name) == preferred || QString::fromStdString(m.path) == preferred;
        });
    }
    if (select < 0) select = find([](const auto&) { return true; });
    filling_ = false;
    model_->setCurrentIndex(select);
    modelChanged();
}

const engine::ModelSummary* PromptPanel::currentModel() const {
    const int i = model_->currentIndex();
    return i >= 0 && i < models_.size() && models_[i].ok() ? &models_[i] : nullptr;
}

QString PromptPanel::modelPath() const {
    const auto* m = currentModel();
    return m ? QString::fromStdString(m->path) : QString();
}

void PromptPanel::modelChanged() {
    if (filling_) return;
    const auto* m = currentModel();
    filling_ = true;
    sizePreset_->clear();
    if (m) {
        sizePreset_->addItem(tr("Model default (%1)").arg(sizeText(m->defaults.width, m->defaults.height)),
                             QSize(m->defaults.width, m->defaults.height));
    }
    for (const auto& s : kSizes) sizePreset_->addItem(sizeText(s.width, s.height), QSize(s.width, s.height));
    sizePreset_->addItem(tr("Custom"), QSize());
    if (m) {
        // The arrows step by the model's multiple. The range stays up to 4096 whatever the model: a
        // preset above the model's maximum must show as refused (limitError), not be clamped silently.
        for (auto* s : {width_, height_}) {
            s->setSingleStep(m->limits.size_multiple);
            s->setRange(m->limits.size_multiple, 4096);
        }
        width_->setValue(m->defaults.width);
        height_->setValue(m->defaults.height);
        frames_->setValue(m->defaults.frames);
        steps_->setValue(m->defaults.steps);
        guidance_->setValue(m->defaults.guidance);
        sampler_->setItemText(0, tr("Model default (%1)").arg(QString::fromStdString(m->defaults.sampler)));
    }
    filling_ = false;
    sizePreset_->setCurrentIndex(0);
    sizePresetChanged();
}

void PromptPanel::sizePresetChanged() {
    if (filling_) return;
    const QSize s = sizePreset_->currentData().toSize();
    const bool custom = !s.isValid();
    width_->setEnabled(custom);
    height_->setEnabled(custom);
    if (!custom) {
        filling_ = true;
        width_->setValue(s.width());
        height_->setValue(s.height());
        filling_ = false;
    }
    validate();
}

engine::GenerationRequest PromptPanel::request() const {
    engine::GenerationRequest r;
    r.prompt = prompt_->toPlainText().trimmed().toStdString();
    r.negative_prompt = negative_->toPlainText().trimmed().toStdString();
    r.width = width_->value();
    r.height = height_->value();
    r.frames = frames_->value();
    r.steps = steps_->value();
    r.guidance = guidance_->value();
    r.sampler = sampler_->currentData().toString().toStdString();
    bool ok = false;
    const qulonglong seed = seed_->text().toULongLong(&ok);
    if (ok) r.seed = seed;
    return r;
}

// The engine's checks (engine::resolveRequest) in the user's language, from the same limits, so that
// the inline reason is not English in a translated studio.
QString PromptPanel::limitError(const engine::GenerationRequest& r, const engine::RequestLimits& l) const {
    // requestLimits keeps max_size within 4096 and max_frames within 1025, the engine's own bounds.
    const int m = l.size_multiple;
    for (const auto& [value, name] : {std::pair{r.width, tr("Width")}, std::pair{r.height, tr("Height")}}) {
        if (value < m || value > l.max_size || value % m != 0) {
            return tr("%1 %2 is not allowed: use a multiple of %3 from %3 to %4 for this model.").arg(name).arg(value).arg(m).arg(l.max_size);
        }
    }
    if (r.frames < 1 || (r.frames - 1) % 4 != 0 || r.frames > l.max_frames) {
        return tr("%1 frames is not allowed: the count must be one more than a multiple of 4 (1, 5, 9, ..., 17, ..., 81), at most %2 for this model.")
            .arg(r.frames)
            .arg(l.max_frames);
    }
    if (r.steps < 1 || r.steps > l.max_steps) return tr("Steps must be from 1 to %1.").arg(l.max_steps);
    if (!std::isfinite(r.guidance) || r.guidance < l.min_guidance || r.guidance > l.max_guidance) {
        return tr("Guidance must be from %1 (no guidance) to %2.").arg(l.min_guidance).arg(l.max_guidance);
    }
    return {};
}

void PromptPanel::validate() {
    if (filling_) return;
    QString error;
    const auto* m = currentModel();
    const auto r = request();
    if (!m) {
        error = models_.isEmpty() ? tr("No model found. Add a model folder in Settings, or reinstall Kinora to get the bundled model.")
                                  : tr("Choose a model that can be used.");
    } else if (r.prompt.empty()) {
        error = tr("Write a prompt first.");
    } else if (!r.seed) {
        error = tr("The seed must be a whole number from 0 to 9223372036854775807.");
    } else if (*r.seed > uint64_t(INT64_MAX)) {
        error = tr("The seed must be at most 9223372036854775807.");
    } else if (const QString limit = limitError(r, m->limits); !limit.isEmpty()) {
        error = limit;
    } else {
        try {  // anything the panel does not word itself: the engine's own (English) reason
            engine::resolveRequest(r, *m);
        } catch (const std::exception& e) {
            error = QString::fromUtf8(e.what());
        }
    }
    if (m) {
        const double fps = m->defaults.fps > 0 ? m->defaults.fps : 8;
        duration_->setText(tr("%1 s at %2 fps").arg(frames_->value() / fps, 0, 'f', 1).arg(fps));
    }
    error_ = error;
    // "Write a prompt first" is not an error worth red text before anything was typed.
    const bool show = !error.isEmpty() && !(r.prompt.empty() && m);
    errorLabel_->setText(error);
    errorLabel_->setVisible(show);
    generate_->setEnabled(error.isEmpty());
    generate_->setToolTip(error.isEmpty() ? tr("Queue this clip (Ctrl+Return)") : error);
}

void PromptPanel::generate() {
    validate();
    if (!error_.isEmpty()) {
        errorLabel_->setVisible(true);
        return;
    }
    auto r = request();
    emit generateRequested(r, modelPath());
    rememberPrompt(QString::fromStdString(r.prompt));
    if (!lock_->isChecked()) rollSeed();
}

void PromptPanel::rollSeed() {
    seed_->setText(QString::number(studio::randomSeed()));
    seed_->setCursorPosition(0);
    lock_->setChecked(false);
}

void PromptPanel::setPrompt(const QString& prompt) { prompt_->setPlainText(prompt); }

void PromptPanel::setRequest(const studio::JobRequest& request) {
    prompt_->setPlainText(request.prompt);
    negative_->setPlainText(request.negative_prompt);
    negativeToggle_->setChecked(!request.negative_prompt.isEmpty());
    for (int i = 0; i < models_.size(); ++i) {
        if (QString::fromStdString(models_[i].path) == request.model_path ||
            (QString::fromStdString(models_[i].name) == request.model && models_[i].ok())) {
            model_->setCurrentIndex(i);
            break;
        }
    }
    // A preset when one matches, else custom values.
    int preset = sizePreset_->count() - 1;
    for (int i = 0; i < sizePreset_->count() - 1; ++i) {
        if (sizePreset_->itemData(i).toSize() == QSize(request.width, request.height)) {
            preset = i;
            break;
        }
    }
    sizePreset_->setCurrentIndex(preset);
    width_->setValue(request.width);
    height_->setValue(request.height);
    frames_->setValue(request.frames);
    steps_->setValue(request.steps);
    guidance_->setValue(request.guidance);
    const int s = sampler_->findData(request.sampler);
    sampler_->setCurrentIndex(s >= 0 ? s : 0);
    seed_->setText(QString::number(request.seed));
    seed_->setCursorPosition(0);
    lock_->setChecked(true);
    validate();
}

void PromptPanel::setRecentPrompts(const QStringList& prompts) {
    recent_ = prompts.mid(0, kMaxRecent);
    auto* menu = recentButton_->menu();
    menu->clear();
    for (const auto& p : recent_) {
        QString label = p;
        label.replace(QLatin1Char('&'), QStringLiteral("&&"));
        auto* a = menu->addAction(fontMetrics().elidedText(label, Qt::ElideRight, 420));
        a->setToolTip(p);
        connect(a, &QAction::triggered, this, [this, p] { setPrompt(p); });
    }
    recentButton_->setEnabled(!recent_.isEmpty());
}

void PromptPanel::rememberPrompt(const QString& prompt) {
    QStringList list = recent_;
    list.removeAll(prompt);
    list.prepend(prompt);
    setRecentPrompts(list);
    emit recentPromptsChanged(recent_);
}

}  // namespace kinora::ui
