<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>ClipFrames</name>
    <message>
        <source>%1 holds no frames.</source>
        <translation>%1 中没有任何帧。</translation>
    </message>
    <message>
        <source>Cannot open %1: %2</source>
        <translation>无法打开 %1：%2</translation>
    </message>
</context>
<context>
    <name>QObject</name>
    <message>
        <source>Kinora Studio</source>
        <translation>Kinora 工作室</translation>
    </message>
    <message>
        <source>The history database was damaged and has been moved to %1. A new, empty history has been started.</source>
        <translation>历史记录数据库已损坏，已移至 %1。已新建一个空的历史记录。</translation>
    </message>
</context>
<context>
    <name>QueuePanel</name>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation>%1 分 %2 秒</translation>
    </message>
</context>
<context>
    <name>kinora::ui::AboutDialog</name>
    <message>
        <source>No models are installed.</source>
        <translation>未安装任何模型。</translation>
    </message>
    <message>
        <source>Folder: %1 (%2)</source>
        <translation>文件夹：%1（%2）</translation>
    </message>
    <message>
        <source>%1 parameters, %2 on disk</source>
        <translation>%1 个参数，占用磁盘 %2</translation>
    </message>
    <message>
        <source> M</source>
        <translation> 百万</translation>
    </message>
    <message>
        <source>This model cannot be used: %1</source>
        <translation>此模型无法使用：%1</translation>
    </message>
    <message>
        <source>This model has no model card (README.md).</source>
        <translation>此模型没有模型卡（README.md）。</translation>
    </message>
    <message>
        <source>the diffusion engine</source>
        <translation>扩散推理引擎</translation>
    </message>
    <message>
        <source>the user interface, history and settings</source>
        <translation>用户界面、历史记录和设置</translation>
    </message>
    <message>
        <source>video encoding and decoding</source>
        <translation>视频编码与解码</translation>
    </message>
    <message>
        <source>H.264 encoding, through FFmpeg</source>
        <translation>H.264 编码（通过 FFmpeg）</translation>
    </message>
    <message>
        <source>VP9 encoding, through FFmpeg</source>
        <translation>VP9 编码（通过 FFmpeg）</translation>
    </message>
    <message>
        <source>scaling, the visible mark, thumbnails</source>
        <translation>缩放、可见标记、缩略图</translation>
    </message>
    <message>
        <source>public domain</source>
        <translation>公有领域</translation>
    </message>
    <message>
        <source>the history database</source>
        <translation>历史记录数据库</translation>
    </message>
    <message>
        <source>the prompt tokenizer</source>
        <translation>提示词分词器</translation>
    </message>
    <message>
        <source>model configuration and provenance records</source>
        <translation>模型配置与来源记录</translation>
    </message>
    <message>
        <source>fast matrix products</source>
        <translation>快速矩阵乘法</translation>
    </message>
    <message>
        <source>Third-party components</source>
        <translation>第三方组件</translation>
    </message>
    <message>
        <source>Kinora</source>
        <translation>Kinora</translation>
    </message>
    <message>
        <source>The licence text is missing from this build; Kinora is licensed under the Apache License 2.0.</source>
        <translation>此版本缺少许可证文本；Kinora 采用 Apache License 2.0 许可。</translation>
    </message>
    <message>
        <source>About Kinora</source>
        <translation>关于 Kinora</translation>
    </message>
    <message>
        <source>A desktop text-to-video studio. Every clip it makes is labelled as AI-generated.</source>
        <translation>桌面文本生成视频工作室。它生成的每个片段都标注为 AI 生成。</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <source>Versions</source>
        <translation>版本</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Licences</source>
        <translation>许可证</translation>
    </message>
</context>
<context>
    <name>kinora::ui::ExportDialog</name>
    <message>
        <source>Export Clip</source>
        <translation>导出片段</translation>
    </message>
    <message>
        <source>MP4 video (H.264)</source>
        <translation>MP4 视频（H.264）</translation>
    </message>
    <message>
        <source>WebM video (VP9)</source>
        <translation>WebM 视频（VP9）</translation>
    </message>
    <message>
        <source>Animated GIF</source>
        <translation>GIF 动画</translation>
    </message>
    <message>
        <source>PNG frames (a folder)</source>
        <translation>PNG 帧（文件夹）</translation>
    </message>
    <message>
        <source>×</source>
        <translation>×</translation>
    </message>
    <message>
        <source>Enlarges every frame by a whole factor (Lanczos: edges stay sharp)</source>
        <translation>按整数倍放大每一帧（Lanczos：边缘保持清晰）</translation>
    </message>
    <message>
        <source>Keep the clip&apos;s frame rate</source>
        <translation>保持片段的帧率</translation>
    </message>
    <message>
        <source> fps</source>
        <translation> 帧/秒</translation>
    </message>
    <message>
        <source>Frames are repeated or dropped to reach this rate; the clip keeps its length</source>
        <translation>通过重复或丢弃帧来达到此帧率；片段时长不变</translation>
    </message>
    <message>
        <source>from frame</source>
        <translation>起始帧</translation>
    </message>
    <message>
        <source>to frame</source>
        <translation>结束帧</translation>
    </message>
    <message numerus="yes">
        <source>Both frames included, counted from 0; the clip has %n frame(s).</source>
        <translation>
            <numerusform>包含两端的帧，从 0 开始计数；片段共有 %n 帧。</numerusform>
        </translation>
    </message>
    <message>
        <source>The clip&apos;s length is not known: the whole clip is exported.</source>
        <translation>片段长度未知：将导出整个片段。</translation>
    </message>
    <message>
        <source>Draw the visible “AI” mark</source>
        <translation>绘制可见的“AI”标记</translation>
    </message>
    <message>
        <source>This clip was generated with the mark, so it is already in its frames and every export shows it.</source>
        <translation>此片段生成时已带标记，标记已在画面中，每次导出都会显示。</translation>
    </message>
    <message>
        <source>Either way the file and its .kinora.json sidecar record that the clip is AI-generated.</source>
        <translation>无论如何，文件本身及其 .kinora.json 附属文件都会记录此片段为 AI 生成。</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Show in Folder</source>
        <translation>在文件夹中显示</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>Format:</source>
        <translation>格式：</translation>
    </message>
    <message>
        <source>Scale:</source>
        <translation>缩放：</translation>
    </message>
    <message>
        <source>Frame rate:</source>
        <translation>帧率：</translation>
    </message>
    <message>
        <source>Trim:</source>
        <translation>裁剪：</translation>
    </message>
    <message>
        <source>Mark:</source>
        <translation>标记：</translation>
    </message>
    <message>
        <source>Save to:</source>
        <translation>保存到：</translation>
    </message>
    <message>
        <source>Folder for the PNG frames</source>
        <translation>存放 PNG 帧的文件夹</translation>
    </message>
    <message>
        <source>MP4 video (*.mp4)</source>
        <translation>MP4 视频 (*.mp4)</translation>
    </message>
    <message>
        <source>WebM video (*.webm)</source>
        <translation>WebM 视频 (*.webm)</translation>
    </message>
    <message>
        <source>GIF image (*.gif)</source>
        <translation>GIF 图像 (*.gif)</translation>
    </message>
    <message>
        <source>Export As</source>
        <translation>导出为</translation>
    </message>
    <message>
        <source>Choose where to save the export.</source>
        <translation>请选择导出的保存位置。</translation>
    </message>
    <message>
        <source>The folder %1 does not exist.</source>
        <translation>文件夹 %1 不存在。</translation>
    </message>
    <message>
        <source>%1 is not a folder.</source>
        <translation>%1 不是文件夹。</translation>
    </message>
    <message>
        <source>%1 is a file; PNG frames go into a folder. Choose a folder or a new folder name.</source>
        <translation>%1 是一个文件；PNG 帧需要存入文件夹。请选择一个文件夹或输入新的文件夹名。</translation>
    </message>
    <message>
        <source>The file name must end in %1 for this format.</source>
        <translation>此格式的文件名必须以 %1 结尾。</translation>
    </message>
    <message>
        <source>%1 is a folder; give a file name.</source>
        <translation>%1 是一个文件夹；请输入文件名。</translation>
    </message>
    <message>
        <source>The trim starts at frame %1, after its end at frame %2.</source>
        <translation>裁剪起点第 %1 帧在终点第 %2 帧之后。</translation>
    </message>
    <message>
        <source>Exporting…</source>
        <translation>正在导出…</translation>
    </message>
    <message numerus="yes">
        <source>Exported %n frame(s) of %1×%2 (%3) to %4.</source>
        <translation>
            <numerusform>已将 %n 帧 %1×%2（%3）导出到 %4。</numerusform>
        </translation>
    </message>
    <message>
        <source>H.264 needs even sizes, so the edge was padded by a pixel.</source>
        <translation>H.264 要求尺寸为偶数，因此边缘补了一个像素。</translation>
    </message>
    <message>
        <source>This clip does not say its frame rate. Untick “Keep the clip&apos;s frame rate” and choose one.</source>
        <translation>此片段未注明帧率。请取消勾选“保持片段的帧率”并选择一个帧率。</translation>
    </message>
    <message>
        <source>Export failed: %1</source>
        <translation>导出失败：%1</translation>
    </message>
    <message>
        <source>The export is still running; it cannot be stopped half-way. Please wait.</source>
        <translation>导出仍在进行，无法中途停止。请稍候。</translation>
    </message>
    <message>
        <source>%1 already holds PNG frames; exporting replaces those with the same names.</source>
        <translation>%1 中已有 PNG 帧；导出会替换同名的帧。</translation>
    </message>
    <message>
        <source>%1 already exists; exporting replaces it.</source>
        <translation>%1 已存在；导出会替换它。</translation>
    </message>
    <message>
        <source>Replace</source>
        <translation>替换</translation>
    </message>
</context>
<context>
    <name>kinora::ui::HistoryDelegate</name>
    <message>
        <source>No picture</source>
        <translation>无画面</translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
</context>
<context>
    <name>kinora::ui::HistoryModel</name>
    <message>
        <source>%1 · %2 · %3×%4, %5 frames · seed %6</source>
        <translation>%1 · %2 · %3×%4，%5 帧 · 种子 %6</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>Interrupted</source>
        <translation>已中断</translation>
    </message>
    <message>
        <source>Queued</source>
        <translation>排队中</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>运行中</translation>
    </message>
</context>
<context>
    <name>kinora::ui::HistoryPanel</name>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Search prompts and tags</source>
        <translation>搜索提示词和标签</translation>
    </message>
    <message>
        <source>Shows the jobs whose prompt, negative prompt or tags contain every word you type</source>
        <translation>显示提示词、反向提示词或标签中包含所输入全部词语的任务</translation>
    </message>
    <message>
        <source>★ Favourites</source>
        <translation>★ 收藏</translation>
    </message>
    <message>
        <source>Show only favourites</source>
        <translation>只显示收藏</translation>
    </message>
    <message>
        <source>Show the jobs of one model</source>
        <translation>只显示某个模型的任务</translation>
    </message>
    <message>
        <source>All models</source>
        <translation>全部模型</translation>
    </message>
    <message>
        <source>Show jobs by how they ended</source>
        <translation>按结束方式显示任务</translation>
    </message>
    <message>
        <source>All</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>Order of the list (search results too)</source>
        <translation>列表排序（也适用于搜索结果）</translation>
    </message>
    <message>
        <source>Newest first</source>
        <translation>最新在前</translation>
    </message>
    <message>
        <source>Oldest first</source>
        <translation>最早在前</translation>
    </message>
    <message>
        <source>Prompt A–Z</source>
        <translation>提示词 A–Z</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <source>Undo Delete</source>
        <translation>撤销删除</translation>
    </message>
    <message>
        <source>Re-run</source>
        <translation>重新运行</translation>
    </message>
    <message>
        <source>Reuse Settings</source>
        <translation>复用设置</translation>
    </message>
    <message>
        <source>Variations (%1)</source>
        <translation>变体（%1）</translation>
    </message>
    <message>
        <source>Favourite</source>
        <translation>收藏</translation>
    </message>
    <message>
        <source>Copy Prompt</source>
        <translation>复制提示词</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <source>Show in Folder</source>
        <translation>在文件夹中显示</translation>
    </message>
    <message>
        <source>Job %1 has no clip to open: it %2.</source>
        <translation>任务 %1 没有可打开的片段：它%2。</translation>
    </message>
    <message>
        <source>was cancelled</source>
        <translation>已被取消</translation>
    </message>
    <message>
        <source>did not finish</source>
        <translation>未完成</translation>
    </message>
    <message>
        <source>The clip of job %1 is missing: %2</source>
        <translation>任务 %1 的片段不见了：%2</translation>
    </message>
    <message>
        <source>Cannot re-run job %1: its model folder %2 no longer exists.</source>
        <translation>无法重新运行任务 %1：其模型文件夹 %2 已不存在。</translation>
    </message>
    <message>
        <source>Re-run of job %1 queued as job %2.</source>
        <translation>任务 %1 的重新运行已作为任务 %2 加入队列。</translation>
    </message>
    <message>
        <source>Cannot re-run job %1: %2</source>
        <translation>无法重新运行任务 %1：%2</translation>
    </message>
    <message>
        <source>Cannot make variations of job %1: its model folder %2 no longer exists.</source>
        <translation>无法为任务 %1 生成变体：其模型文件夹 %2 已不存在。</translation>
    </message>
    <message numerus="yes">
        <source>%n variation(s) of job %1 queued.</source>
        <translation>
            <numerusform>已将任务 %1 的 %n 个变体加入队列。</numerusform>
        </translation>
    </message>
    <message>
        <source>Cannot make variations of job %1: %2</source>
        <translation>无法为任务 %1 生成变体：%2</translation>
    </message>
    <message>
        <source>Cannot change job %1: %2</source>
        <translation>无法修改任务 %1：%2</translation>
    </message>
    <message>
        <source>Prompt copied.</source>
        <translation>已复制提示词。</translation>
    </message>
    <message>
        <source>Job %1 has no clip to export.</source>
        <translation>任务 %1 没有可导出的片段。</translation>
    </message>
    <message>
        <source>The folder of job %1 is missing: %2</source>
        <translation>任务 %1 的文件夹不见了：%2</translation>
    </message>
    <message>
        <source>No file manager could open %1.</source>
        <translation>没有文件管理器能打开 %1。</translation>
    </message>
    <message>
        <source>Delete “%1” and its clip?</source>
        <translation>删除“%1”及其片段？</translation>
    </message>
    <message numerus="yes">
        <source>Delete %n jobs and their clips?</source>
        <translation>
            <numerusform>删除 %n 个任务及其片段？</numerusform>
        </translation>
    </message>
    <message>
        <source>You can undo this until Kinora closes; then the files go to the trash.</source>
        <translation>在 Kinora 关闭前都可以撤销；关闭后文件将移入回收站。</translation>
    </message>
    <message>
        <source>Deleted job %1.</source>
        <translation>已删除任务 %1。</translation>
    </message>
    <message numerus="yes">
        <source>Deleted %n jobs.</source>
        <translation>
            <numerusform>已删除 %n 个任务。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Restored %n job(s).</source>
        <translation>
            <numerusform>已恢复 %n 个任务。</numerusform>
        </translation>
    </message>
    <message>
        <source>job %1: %2</source>
        <translation>任务 %1：%2</translation>
    </message>
    <message numerus="yes">
        <source>%n job(s) deleted; their files are in the trash.</source>
        <translation>
            <numerusform>已删除 %n 个任务；其文件已移入回收站。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n job(s) deleted with their files.</source>
        <translation>
            <numerusform>已删除 %n 个任务及其文件。</numerusform>
        </translation>
    </message>
    <message>
        <source>Could not delete %1</source>
        <translation>无法删除 %1</translation>
    </message>
    <message>
        <source>Deleted “%1”.</source>
        <translation>已删除“%1”。</translation>
    </message>
    <message>
        <source>Bring the deleted jobs back; their files are kept until Kinora closes</source>
        <translation>恢复已删除的任务；在 Kinora 关闭前其文件都会保留</translation>
    </message>
    <message>
        <source>Nothing matches “%1”.</source>
        <translation>没有与“%1”匹配的结果。</translation>
    </message>
    <message>
        <source>No job passes the filters.</source>
        <translation>没有符合筛选条件的任务。</translation>
    </message>
    <message>
        <source>No generations yet. Finished clips appear here.</source>
        <translation>还没有生成记录。完成的片段会显示在这里。</translation>
    </message>
</context>
<context>
    <name>kinora::ui::MainWindow</name>
    <message>
        <source>Kinora Studio</source>
        <translation>Kinora 工作室</translation>
    </message>
    <message>
        <source>Prompt</source>
        <translation>提示词</translation>
    </message>
    <message>
        <source>Queue</source>
        <translation>队列</translation>
    </message>
    <message>
        <source>History</source>
        <translation>历史记录</translation>
    </message>
    <message>
        <source>Model loaded: %1</source>
        <translation>已加载模型：%1</translation>
    </message>
    <message>
        <source>Model released from memory</source>
        <translation>模型已从内存中释放</translation>
    </message>
    <message>
        <source>Kinora</source>
        <translation>Kinora</translation>
    </message>
    <message>
        <source>The generation worker stopped: %1
Restart Kinora Studio to continue.</source>
        <translation>生成工作线程已停止：%1
请重新启动 Kinora 工作室以继续。</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Open clip…</source>
        <translation>打开片段(&amp;O)…</translation>
    </message>
    <message>
        <source>&amp;Export…</source>
        <translation>导出(&amp;E)…</translation>
    </message>
    <message>
        <source>Open or generate a clip first: there is nothing to export.</source>
        <translation>请先打开或生成一个片段：目前没有可导出的内容。</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>设置(&amp;S)…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <source>Mark &amp;in</source>
        <translation>标记入点(&amp;I)</translation>
    </message>
    <message>
        <source>Mark &amp;out</source>
        <translation>标记出点(&amp;O)</translation>
    </message>
    <message>
        <source>&amp;Clear marks</source>
        <translation>清除标记(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Reset layout</source>
        <translation>重置布局(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Search the history</source>
        <translation>搜索历史记录(&amp;S)</translation>
    </message>
    <message>
        <source>Zoom to &amp;fit</source>
        <translation>适应窗口(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Actual pixels (1:1)</source>
        <translation>实际像素 1:1(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Generate</source>
        <translation>生成(&amp;G)</translation>
    </message>
    <message>
        <source>New random &amp;seed</source>
        <translation>新的随机种子(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Pause queue</source>
        <translation>暂停队列(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;User guide</source>
        <translation>用户指南(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;About Kinora</source>
        <translation>关于 Kinora(&amp;A)</translation>
    </message>
    <message>
        <source>About &amp;Qt</source>
        <translation>关于 Qt(&amp;Q)</translation>
    </message>
    <message>
        <source>User guide</source>
        <translation>用户指南</translation>
    </message>
    <message>
        <source>The user guide is not installed on this machine. It is docs/user-guide.md in Kinora&apos;s source, and `kinora --help` lists what the command line can do.</source>
        <translation>本机未安装用户指南。它位于 Kinora 源代码的 docs/user-guide.md；`kinora --help` 列出了命令行的全部功能。</translation>
    </message>
    <message>
        <source>No program is set up to open %1. Open it with any text editor or Markdown viewer.</source>
        <translation>没有设置用于打开 %1 的程序。请用任意文本编辑器或 Markdown 查看器打开它。</translation>
    </message>
    <message>
        <source>Queued job %1 (seed %2)</source>
        <translation>已将任务 %1 加入队列（种子 %2）</translation>
    </message>
    <message>
        <source>Not queued: %1</source>
        <translation>未加入队列：%1</translation>
    </message>
    <message>
        <source>Cannot generate</source>
        <translation>无法生成</translation>
    </message>
    <message>
        <source>Preview of job %1 (step %2): %3</source>
        <translation>任务 %1 的预览（第 %2 步）：%3</translation>
    </message>
    <message>
        <source>Job %1 done</source>
        <translation>任务 %1 已完成</translation>
    </message>
    <message>
        <source>Job %1 was %2.</source>
        <translation>任务 %1 %2。</translation>
    </message>
    <message>
        <source>Job %1 failed: %2</source>
        <translation>任务 %1 失败：%2</translation>
    </message>
    <message>
        <source>Job %1 cancelled</source>
        <translation>任务 %1 已取消</translation>
    </message>
    <message>
        <source>Opening %1…</source>
        <translation>正在打开 %1…</translation>
    </message>
    <message>
        <source>Cannot open</source>
        <translation>无法打开</translation>
    </message>
    <message>
        <source>Loaded the generation settings of %1</source>
        <translation>已载入 %1 的生成设置</translation>
    </message>
    <message>
        <source>%1: %2 frames of %3×%4 at %5 fps</source>
        <translation>%1：%2 帧，%3×%4，%5 帧/秒</translation>
    </message>
    <message>
        <source>Clips (%1)</source>
        <translation>片段 (%1)</translation>
    </message>
    <message>
        <source>Open clip</source>
        <translation>打开片段</translation>
    </message>
    <message>
        <source>Exported %1</source>
        <translation>已导出 %1</translation>
    </message>
    <message>
        <source>Settings saved</source>
        <translation>设置已保存</translation>
    </message>
    <message>
        <source>Some of the changes (data folder, model folders, threads, device or language) take effect the next time Kinora Studio starts.</source>
        <translation>部分更改（数据文件夹、模型文件夹、线程数、设备或语言）将在下次启动 Kinora 工作室时生效。</translation>
    </message>
</context>
<context>
    <name>kinora::ui::PlayerWidget</name>
    <message>
        <source>Go to start</source>
        <translation>转到开头</translation>
    </message>
    <message>
        <source>Previous frame</source>
        <translation>上一帧</translation>
    </message>
    <message>
        <source>Play</source>
        <translation>播放</translation>
    </message>
    <message>
        <source>Next frame</source>
        <translation>下一帧</translation>
    </message>
    <message>
        <source>Go to end</source>
        <translation>转到结尾</translation>
    </message>
    <message>
        <source>Loop</source>
        <translation>循环</translation>
    </message>
    <message>
        <source>Fit</source>
        <translation>适应</translation>
    </message>
    <message>
        <source>1:1</source>
        <translation>1:1</translation>
    </message>
    <message>
        <source>Zoom: fit the window (small clips are enlarged by whole factors, pixels stay sharp) or actual pixels</source>
        <translation>缩放：适应窗口（小片段按整数倍放大，像素保持清晰）或实际像素</translation>
    </message>
    <message>
        <source>Type a prompt and press Ctrl+Return to make your first clip.</source>
        <translation>输入提示词并按 Ctrl+Return，生成你的第一个片段。</translation>
    </message>
    <message>
        <source>frame %1/%2  %3 s</source>
        <translation>第 %1/%2 帧  %3 秒</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
</context>
<context>
    <name>kinora::ui::PromptPanel</name>
    <message>
        <source>Describe the clip, e.g. “a red circle moving left on a black background”</source>
        <translation>描述片段，例如“黑色背景上一个红色的圆向左移动”</translation>
    </message>
    <message>
        <source>Recent</source>
        <translation>最近</translation>
    </message>
    <message>
        <source>Prompts you used recently</source>
        <translation>最近使用的提示词</translation>
    </message>
    <message>
        <source>Negative prompt</source>
        <translation>反向提示词</translation>
    </message>
    <message>
        <source>What the clip should not show (optional)</source>
        <translation>片段中不应出现的内容（可选）</translation>
    </message>
    <message>
        <source> px</source>
        <translation> 像素</translation>
    </message>
    <message>
        <source>Width in pixels: a multiple of 16</source>
        <translation>宽度（像素）：16 的倍数</translation>
    </message>
    <message>
        <source>Height in pixels: a multiple of 16</source>
        <translation>高度（像素）：16 的倍数</translation>
    </message>
    <message>
        <source>Frames: 1, 5, 9, 13, … (4k+1, as the video autoencoder needs)</source>
        <translation>帧数：1、5、9、13……（4k+1，视频自编码器的要求）</translation>
    </message>
    <message>
        <source>Denoising steps: more is slower; past the model&apos;s default, rarely better</source>
        <translation>去噪步数：越多越慢；超过模型的默认值后很少更好</translation>
    </message>
    <message>
        <source>How strongly the clip follows the prompt; 1 turns guidance off (twice as fast)</source>
        <translation>片段遵循提示词的强度；设为 1 时关闭引导（速度加倍）</translation>
    </message>
    <message>
        <source>Model default</source>
        <translation>模型默认</translation>
    </message>
    <message>
        <source>UniPC</source>
        <translation>UniPC</translation>
    </message>
    <message>
        <source>Euler</source>
        <translation>Euler</translation>
    </message>
    <message>
        <source>The same seed with the same settings gives the same clip</source>
        <translation>相同的种子和设置会生成相同的片段</translation>
    </message>
    <message>
        <source>Lock</source>
        <translation>锁定</translation>
    </message>
    <message>
        <source>Keep this seed for the next clips (otherwise every clip gets a new random seed)</source>
        <translation>后续片段沿用此种子（否则每个片段都使用新的随机种子）</translation>
    </message>
    <message>
        <source>Random</source>
        <translation>随机</translation>
    </message>
    <message>
        <source>New random seed</source>
        <translation>新的随机种子</translation>
    </message>
    <message>
        <source>Generate</source>
        <translation>生成</translation>
    </message>
    <message>
        <source>Queue this clip (Ctrl+Return)</source>
        <translation>将此片段加入队列（Ctrl+Return）</translation>
    </message>
    <message>
        <source>Prompt</source>
        <translation>提示词</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>尺寸</translation>
    </message>
    <message>
        <source>Frames</source>
        <translation>帧数</translation>
    </message>
    <message>
        <source>Steps</source>
        <translation>步数</translation>
    </message>
    <message>
        <source>Guidance</source>
        <translation>引导强度</translation>
    </message>
    <message>
        <source>Sampler</source>
        <translation>采样器</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>种子</translation>
    </message>
    <message>
        <source>%1 (cannot be used)</source>
        <translation>%1（无法使用）</translation>
    </message>
    <message>
        <source>%1
Native size %2, %3 frames at %4 fps
%5</source>
        <translation>%1
原生尺寸 %2，%3 帧，%4 帧/秒
%5</translation>
    </message>
    <message>
        <source>Model default (%1)</source>
        <translation>模型默认（%1）</translation>
    </message>
    <message>
        <source>Custom</source>
        <translation>自定义</translation>
    </message>
    <message>
        <source>No model found. Add a model folder in Settings, or reinstall Kinora to get the bundled model.</source>
        <translation>未找到模型。请在设置中添加模型文件夹，或重新安装 Kinora 以获得内置模型。</translation>
    </message>
    <message>
        <source>Choose a model that can be used.</source>
        <translation>请选择一个可用的模型。</translation>
    </message>
    <message>
        <source>Write a prompt first.</source>
        <translation>请先输入提示词。</translation>
    </message>
    <message>
        <source>The seed must be a whole number from 0 to 9223372036854775807.</source>
        <translation>种子必须是 0 到 9223372036854775807 之间的整数。</translation>
    </message>
    <message>
        <source>The seed must be at most 9223372036854775807.</source>
        <translation>种子不能大于 9223372036854775807。</translation>
    </message>
    <message>
        <source>%1 s at %2 fps</source>
        <translation>%1 秒，%2 帧/秒</translation>
    </message>
    <message>
        <source>Width</source>
        <translation>宽度</translation>
    </message>
    <message>
        <source>Height</source>
        <translation>高度</translation>
    </message>
    <message>
        <source>%1 %2 is not allowed: use a multiple of %3 from %3 to %4 for this model.</source>
        <translation>%1 %2 不可用：此模型需要 %3 的倍数，范围为 %3 到 %4。</translation>
    </message>
    <message>
        <source>%1 frames is not allowed: the count must be one more than a multiple of 4 (1, 5, 9, ..., 17, ..., 81), at most %2 for this model.</source>
        <translation>%1 帧不可用：帧数必须是 4 的倍数加 1（1、5、9、……、17、……、81），此模型最多 %2 帧。</translation>
    </message>
    <message>
        <source>Steps must be from 1 to %1.</source>
        <translation>步数必须在 1 到 %1 之间。</translation>
    </message>
    <message>
        <source>Guidance must be from %1 (no guidance) to %2.</source>
        <translation>引导强度必须在 %1（不引导）到 %2 之间。</translation>
    </message>
</context>
<context>
    <name>kinora::ui::QueueModel</name>
    <message>
        <source>starting</source>
        <translation>正在启动</translation>
    </message>
    <message>
        <source>Job %1: %2</source>
        <translation>任务 %1：%2</translation>
    </message>
</context>
<context>
    <name>kinora::ui::QueuePanel</name>
    <message>
        <source>queued</source>
        <translation>排队中</translation>
    </message>
    <message>
        <source>step %1/%2 · %3 · %4 left</source>
        <translation>第 %1/%2 步 · %3 · 剩余 %4</translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
    <message>
        <source>starting</source>
        <translation>正在启动</translation>
    </message>
    <message>
        <source>Pause queue</source>
        <translation>暂停队列</translation>
    </message>
    <message>
        <source>Pausing lets the running clip finish and starts nothing new until you resume</source>
        <translation>暂停后，正在生成的片段会完成，但在恢复之前不会开始新的任务</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Cancel the selected job (Delete); a running job stops within one step</source>
        <translation>取消选中的任务（Delete）；正在运行的任务会在一步之内停止</translation>
    </message>
    <message>
        <source>Cancel job</source>
        <translation>取消任务</translation>
    </message>
    <message>
        <source>Resume queue</source>
        <translation>恢复队列</translation>
    </message>
    <message>
        <source>Paused · nothing queued</source>
        <translation>已暂停 · 队列为空</translation>
    </message>
    <message>
        <source>Nothing queued</source>
        <translation>队列为空</translation>
    </message>
    <message>
        <source>Paused · </source>
        <translation>已暂停 · </translation>
    </message>
    <message numerus="yes">
        <source>%n waiting</source>
        <translation>
            <numerusform>%n 个等待中</numerusform>
        </translation>
    </message>
    <message>
        <source>Cancelled job %1</source>
        <translation>已取消任务 %1</translation>
    </message>
    <message>
        <source>Job %1 had already finished</source>
        <translation>任务 %1 已经结束</translation>
    </message>
    <message>
        <source>Stop this job</source>
        <translation>停止此任务</translation>
    </message>
    <message>
        <source>Run next</source>
        <translation>下一个运行</translation>
    </message>
    <message>
        <source>Run last</source>
        <translation>最后运行</translation>
    </message>
</context>
<context>
    <name>kinora::ui::SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Takes effect at the next start.</source>
        <translation>下次启动时生效。</translation>
    </message>
    <message>
        <source>Default: %1</source>
        <translation>默认：%1</translation>
    </message>
    <message>
        <source>Where the history and the clips are kept</source>
        <translation>历史记录和片段的存放位置</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Folders that are a model or hold models, searched before the bundled model</source>
        <translation>本身是模型或包含模型的文件夹，会先于内置模型被搜索</translation>
    </message>
    <message>
        <source>Add…</source>
        <translation>添加…</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <source>All cores (%1)</source>
        <translation>全部核心（%1）</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>CUDA GPU (needs a LibTorch built with CUDA)</source>
        <translation>CUDA GPU（需要支持 CUDA 的 LibTorch）</translation>
    </message>
    <message>
        <source>The model new prompts start with</source>
        <translation>新提示词默认使用的模型</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>系统语言</translation>
    </message>
    <message>
        <source>Dark (neutral greys for judging colour)</source>
        <translation>深色（中性灰，便于判断颜色）</translation>
    </message>
    <message>
        <source>System</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>Draw the visible “AI” mark into new clips and exports</source>
        <translation>在新片段和导出文件中绘制可见的“AI”标记</translation>
    </message>
    <message>
        <source>The AI-generation record is written into every file whether or not the mark is drawn</source>
        <translation>无论是否绘制标记，AI 生成记录都会写入每个文件</translation>
    </message>
    <message>
        <source>Data folder:</source>
        <translation>数据文件夹：</translation>
    </message>
    <message>
        <source>Model folders:</source>
        <translation>模型文件夹：</translation>
    </message>
    <message>
        <source>Threads:</source>
        <translation>线程数：</translation>
    </message>
    <message>
        <source>Device:</source>
        <translation>设备：</translation>
    </message>
    <message>
        <source>Default model:</source>
        <translation>默认模型：</translation>
    </message>
    <message>
        <source>Language:</source>
        <translation>语言：</translation>
    </message>
    <message>
        <source>Theme:</source>
        <translation>主题：</translation>
    </message>
    <message>
        <source>%1 is not a folder.</source>
        <translation>%1 不是文件夹。</translation>
    </message>
    <message>
        <source>%1 is already in the list.</source>
        <translation>%1 已在列表中。</translation>
    </message>
    <message>
        <source>%1 holds no model: a model folder has a model_index.json, and so does each model inside a folder of models.</source>
        <translation>%1 中没有模型：模型文件夹含有 model_index.json，模型集合文件夹中的每个模型也都含有该文件。</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <source>This model cannot be used: %1</source>
        <translation>此模型无法使用：%1</translation>
    </message>
    <message>
        <source>None of the models in %1 can be used. %2</source>
        <translation>%1 中的模型都无法使用。%2</translation>
    </message>
    <message>
        <source>Added %1 (%2).</source>
        <translation>已添加 %1（%2）。</translation>
    </message>
    <message>
        <source>Added %1 (%2). Some of its models cannot be used: %3</source>
        <translation>已添加 %1（%2）。其中部分模型无法使用：%3</translation>
    </message>
    <message>
        <source>The data folder cannot be used: %1</source>
        <translation>无法使用该数据文件夹：%1</translation>
    </message>
    <message>
        <source>Data Folder</source>
        <translation>数据文件夹</translation>
    </message>
    <message>
        <source>Model Folder</source>
        <translation>模型文件夹</translation>
    </message>
</context>
<context>
    <name>kinora::ui::TimelineWidget</name>
    <message>
        <source>Click or drag to move through the clip. I and O mark the part to export, Alt+X clears the marks.</source>
        <translation>单击或拖动以浏览片段。按 I 和 O 标记要导出的部分，Alt+X 清除标记。</translation>
    </message>
    <message>
        <source>No clip</source>
        <translation>无片段</translation>
    </message>
</context>
</TS>
