// The prompt panel: what the person asks for. Prompt (with recent prompts), a folding negative prompt,
// the model, size and length presets with custom values, steps, guidance, sampler and seed (random by
// default, lockable, re-rolled with the dice), and Generate. Every value is checked as the engine will
// check it (engine::resolveRequest against the chosen model) while it is typed; the reason shows inline
// and Generate stays off until the request is valid.
#pragma once

#include "engine/model_folder.h"
#include "engine/pipeline.h"
#include "studio/job.h"

#include <QVector>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QToolButton;

namespace kinora::ui {

class PromptPanel : public QWidget {
    Q_OBJECT
public:
    explicit PromptPanel(QWidget* parent = nullptr);

    // The models to offer (broken ones are listed disabled with their error). Selected: the model chosen
    // before (when `keepChoice`), else `preferred` (a name or folder), else the first usable one.
    void setModels(const QVector<engine::ModelSummary>& models, const QString& preferred, bool keepChoice = true);
    // Fills every field from a recorded request ("reuse settings"); the seed is locked to its value.
    void setRequest(const studio::JobRequest& request);
    void setPrompt(const QString& prompt);
    void setRecentPrompts(const QStringList& prompts);
    QStringList recentPrompts() const { return recent_; }

    // The request as the fields say (seed set only when locked), and the chosen model's folder.
    engine::GenerationRequest request() const;
    QString modelPath() const;
    // "" when the request is valid, else why not (as shown under the fields).
    QString validationError() const { return error_; }

    QPlainTextEdit* promptEdit() const { return prompt_; }
    QPushButton* generateButton() const { return generate_; }
    QLineEdit* seedEdit() const { return seed_; }
    QToolButton* seedLock() const { return lock_; }
    QComboBox* sizePreset() const { return sizePreset_; }
    QSpinBox* widthBox() const { return width_; }
    QSpinBox* heightBox() const { return height_; }
    QSpinBox* framesBox() const { return frames_; }
    QSpinBox* stepsBox() const { return steps_; }
    QComboBox* modelBox() const { return model_; }
    QLabel* errorLabel() const { return errorLabel_; }

public slots:
    // What Generate (and Ctrl+Return) does: emits generateRequested when valid, then remembers the prompt
    // and, unless the seed is locked, rolls a new one for the next run.
    void generate();
    void rollSeed();

signals:
    void generateRequested(kinora::engine::GenerationRequest request, QString modelPath);
    void recentPromptsChanged(QStringList prompts);

private:
    const engine::ModelSummary* currentModel() const;
    void modelChanged();
    void sizePresetChanged();
    void validate();
    QString limitError(const engine::GenerationRequest& r, const engine::RequestLimits& l) const;
    void rememberPrompt(const QString& prompt);

    QVector<engine::ModelSummary> models_;
    QStringList recent_;
    QString error_;
    bool filling_ = false;

    QPlainTextEdit* prompt_;
    QToolButton* recentButton_;
    QToolButton* negativeToggle_;
    QPlainTextEdit* negative_;
    QComboBox* model_;
    QComboBox* sizePreset_;
    QSpinBox *width_, *height_, *frames_, *steps_;
    QLabel* duration_;
    QDoubleSpinBox* guidance_;
    QComboBox* sampler_;
    QLineEdit* seed_;
    QToolButton* lock_;
    QToolButton* dice_;
    QLabel* errorLabel_;
    QPushButton* generate_;
};

}  // namespace kinora::ui

Q_DECLARE_METATYPE(kinora::engine::GenerationRequest)
