<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>AboutDialog</name>
    <message>
        <source>No models are installed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Folder: %1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 parameters, %2 on disk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> M</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This model cannot be used: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This model has no model card (README.md).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the diffusion engine</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the user interface, history and settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>video encoding and decoding</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>H.264 encoding, through FFmpeg</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>VP9 encoding, through FFmpeg</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>scaling, the visible mark, thumbnails</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>public domain</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the history database</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the prompt tokenizer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>model configuration and provenance records</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>fast matrix products</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Third-party components</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Kinora</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The licence text is missing from this build; Kinora is licensed under the Apache License 2.0.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>About Kinora</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A desktop text-to-video studio. Every clip it makes is labelled as AI-generated.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unknown</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Versions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Models</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Licences</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ClipFrames</name>
    <message>
        <source>%1 holds no frames.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot open %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ExportDialog</name>
    <message>
        <source>Export Clip</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MP4 video (H.264)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WebM video (VP9)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Animated GIF</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PNG frames (a folder)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>×</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enlarges every frame by a whole factor (Lanczos: edges stay sharp)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep the clip&apos;s frame rate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> fps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Frames are repeated or dropped to reach this rate; the clip keeps its length</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>from frame</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>to frame</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Both frames included, counted from 0; the clip has %n frame(s).</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>The clip&apos;s length is not known: the whole clip is exported.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Draw the visible ǊI” mark</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This clip was generated with the mark, so it is already in its frames and every export shows it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Either way the file and its .kinora.json sidecar record that the clip is AI-generated.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show in Folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Format:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scale:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Frame rate:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Trim:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mark:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save to:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Folder for the PNG frames</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MP4 video (*.mp4)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WebM video (*.webm)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>GIF image (*.gif)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export As</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose where to save the export.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The folder %1 does not exist.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is not a folder.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is a file; PNG frames go into a folder. Choose a folder or a new folder name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file name must end in %1 for this format.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is a folder; give a file name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The trim starts at frame %1, after its end at frame %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exporting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Exported %n frame(s) of %1×%2 (%3) to %4.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>H.264 needs even sizes, so the edge was padded by a pixel.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This clip does not say its frame rate. Untick “Keep the clip&apos;s frame rate” and choose one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The export is still running; it cannot be stopped half-way. Please wait.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>HistoryDelegate</name>
    <message>
        <source>No picture</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>HistoryModel</name>
    <message>
        <source>%1 · %2 · %3×%4, %5 frames · seed %6</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Interrupted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Queued</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Running</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>HistoryPanel</name>
    <message>
        <source>Delete</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search prompts and tags</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Shows the jobs whose prompt, negative prompt or tags contain every word you type</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>★ Favourites</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show only favourites</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show the jobs of one model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All models</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show jobs by how they ended</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Done</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Order of the list (search results too)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Newest first</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Oldest first</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Prompt A–Z</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Undo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Undo Delete</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Re-run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reuse Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Variations (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Favourite</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy Prompt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show in Folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Job %1 has no clip to open: it %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>was cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>did not finish</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The clip of job %1 is missing: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot re-run job %1: its model folder %2 no longer exists.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Re-run of job %1 queued as job %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot re-run job %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot make variations of job %1: its model folder %2 no longer exists.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n variation(s) of job %1 queued.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Cannot make variations of job %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot change job %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Prompt copied.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Job %1 has no clip to export.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The folder of job %1 is missing: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No file manager could open %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete “%1” and its clip?</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Delete %n jobs and their clips?</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>You can undo this until Kinora closes; then the files go to the trash.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deleted job %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Deleted %n jobs.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Restored %n job(s).</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>job %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n job(s) deleted; their files are in the trash.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n job(s) deleted with their files.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Could not delete %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deleted “%1”.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bring the deleted jobs back; their files are kept until Kinora closes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing matches “%1”.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No job passes the filters.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No generations yet. Finished clips appear here.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Kinora Studio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Prompt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Queue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>History</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model loaded: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model released from memory</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Kinora</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The generation worker stopped: %1
Restart Kinora Studio to continue.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ready</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Open clip…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Export…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open or generate a clip first: there is nothing to export.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mark &amp;in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mark &amp;out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Clear marks</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Reset layout</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Search the history</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Zoom to &amp;fit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Actual pixels (1:1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Generate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New random &amp;seed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Pause queue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;User guide</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;About Kinora</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>About &amp;Qt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>User guide</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The user guide is not installed on this machine. It is docs/user-guide.md in Kinora&apos;s source, and `kinora --help` lists what the command line can do.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No program is set up to open %1. Open it with any text editor or Markdown viewer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Queued job %1 (seed %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not queued: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot generate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Preview of job %1 (step %2): %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Job %1 done</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Job %1 was %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Job %1 failed: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Job %1 cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Opening %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot open</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loaded the generation settings of %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2 frames of %3×%4 at %5 fps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clips (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open clip</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exported %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Settings saved</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Some of the changes (data folder, model folders, threads, device or language) take effect the next time Kinora Studio starts.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PlayerWidget</name>
    <message>
        <source>Go to start</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Previous frame</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Play</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Next frame</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Go to end</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loop</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1:1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Zoom: fit the window (small clips are enlarged by whole factors, pixels stay sharp) or actual pixels</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type a prompt and press Ctrl+Return to make your first clip.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>frame %1/%2  %3 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pause</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PromptPanel</name>
    <message>
        <source>Describe the clip, e.g. “a red circle moving left on a black background”</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Prompts you used recently</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Negative prompt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What the clip should not show (optional)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> px</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Width in pixels: a multiple of 16</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Height in pixels: a multiple of 16</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Frames: 1, 5, 9, 13, … (4k+1, as the video autoencoder needs)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Denoising steps: more is slower and usually cleaner</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>How strongly the clip follows the prompt; 1 turns guidance off (twice as fast)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model default</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>UniPC</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Euler</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The same seed with the same settings gives the same clip</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lock</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep this seed for the next clips (otherwise every clip gets a new random seed)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Random</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New random seed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Generate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Queue this clip (Ctrl+Return)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Prompt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Frames</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Steps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Guidance</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sampler</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (cannot be used)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1
Native size %2, %3 frames at %4 fps
%5</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model default (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Custom</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No model found. Add a model folder in Settings, or reinstall Kinora to get the bundled model.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a model that can be used.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Write a prompt first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The seed must be a whole number from 0 to 9223372036854775807.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The seed must be at most 9223372036854775807.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 s at %2 fps</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>QObject</name>
    <message>
        <source>Kinora Studio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The history database was damaged and has been moved to %1. A new, empty history has been started.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>QueueModel</name>
    <message>
        <source>starting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Job %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>QueuePanel</name>
    <message>
        <source>%1 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>queued</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>step %1/%2 · %3 · %4 left</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>starting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pause queue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pausing lets the running clip finish and starts nothing new until you resume</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel the selected job (Delete); a running job stops within one step</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel job</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resume queue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paused · nothing queued</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing queued</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paused · </source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n waiting</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Cancelled job %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Job %1 had already finished</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop this job</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run next</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run last</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Takes effect at the next start.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Default: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Where the history and the clips are kept</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Folders that are a model or hold models, searched before the bundled model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All cores (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CPU</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CUDA GPU (needs a LibTorch built with CUDA)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The model new prompts start with</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>System language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dark (neutral greys for judging colour)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>System</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Draw the visible ǊI” mark into new clips and exports</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The AI-generation record is written into every file whether or not the mark is drawn</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Data folder:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model folders:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Threads:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Device:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Default model:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Language:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Theme:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is not a folder.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is already in the list.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 holds no model: a model folder has a model_index.json, and so does each model inside a folder of models.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This model cannot be used: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>None of the models in %1 can be used. %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Added %1 (%2).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Added %1 (%2). Some of its models cannot be used: %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The data folder cannot be used: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Data Folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model Folder</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TimelineWidget</name>
    <message>
        <source>Click or drag to move through the clip. I and O mark the part to export, Alt+X clears the marks.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No clip</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
