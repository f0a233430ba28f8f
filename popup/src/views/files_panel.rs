//! The files server's folder in the Tools card: files dropped on it or picked are stored in the
//! origin-private file system (as they are, bytes never crossing a message), listed with their
//! sizes, and removed on request. A file that cannot be stored (a bad name, too big, its name
//! taken) is named with the reason; the others are stored anyway, and nothing stored is lost.

use sycamore::prelude::*;
use tools::files::{FileInfo, MAX_FILE_BYTES, path::normalize};
use wasm_bindgen::JsCast;
use web_sys::{DragEvent, Event, FileList, HtmlInputElement};

use crate::chrome::{remove_file, store_file, stored_files};
use crate::i18n::{file_size, megabytes, t, t_with};

/// The path a new file is stored at, or why it is refused.
fn check_new(name: &str, size: u64, stored: &[FileInfo]) -> Result<String, String> {
    let path = normalize(name).map_err(|why| t_with("filesBadName", &[name, &why]))?;
    if size > MAX_FILE_BYTES {
        return Err(t_with(
            "filesTooBig",
            &[name, &megabytes(size), &megabytes(MAX_FILE_BYTES)],
        ));
    }
    if stored.iter().any(|f| f.path == path) {
        return Err(t_with("filesNameTaken", &[&path]));
    }
    Ok(path)
}

#[derive(Clone, Copy)]
struct Folder {
    files: Signal<Vec<FileInfo>>,
    problems: Signal<Vec<String>>,
    /// Files being stored now.
    busy: Signal<bool>,
}

impl Folder {
    async fn reload(self) {
        match stored_files().await {
            Ok(mut files) => {
                files.sort_by(|a, b| a.path.cmp(&b.path));
                self.files.set(files);
            }
            Err(why) => self
                .problems
                .update(|p| p.push(t_with("filesListFailed", &[&why]))),
        }
    }

    /// Stores every file of `list` that may be stored; says why for the others.
    fn add(self, list: FileList) {
        let picked: Vec<web_sys::File> = (0..list.length()).filter_map(|i| list.get(i)).collect();
        if picked.is_empty() {
            return;
        }
        self.problems.set(Vec::new());
        self.busy.set(true);
        wasm_bindgen_futures::spawn_local(async move {
            // The folder as it is now, so a name taken since the list was shown is caught.
            self.reload().await;
            let mut stored = self.files.get_clone();
            for file in picked {
                let name = file.name();
                let checked = check_new(&name, file.size() as u64, &stored);
                let outcome = match checked {
                    Ok(path) => store_file(&path, &file)
                        .await
                        .map(|()| {
                            stored.push(FileInfo {
                                path,
                                size: file.size() as u64,
                            })
                        })
                        .map_err(|why| t_with("filesStoreFailed", &[&name, &why])),
                    Err(why) => Err(why),
                };
                if let Err(why) = outcome {
                    self.problems.update(|p| p.push(why));
                }
            }
            self.reload().await;
            self.busy.set(false);
        });
    }

    fn remove(self, path: String) {
        self.problems.set(Vec::new());
        wasm_bindgen_futures::spawn_local(async move {
            if let Err(why) = remove_file(&path).await {
                self.problems
                    .update(|p| p.push(t_with("filesRemoveFailed", &[&path, &why])));
            }
            self.reload().await;
        });
    }
}

#[component]
pub fn FilesPanel() -> View {
    let folder = Folder {
        files: create_signal(Vec::new()),
        problems: create_signal(Vec::new()),
        busy: create_signal(false),
    };
    let over = create_signal(false);
    wasm_bindgen_futures::spawn_local(folder.reload());
    let picked = move |e: Event| {
        let Some(input) = e
            .target()
            .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
        else {
            return;
        };
        if let Some(list) = input.files() {
            folder.add(list);
        }
        // The same file picked again (after removing it) is a change too.
        input.set_value("");
    };
    let dropped = move |e: DragEvent| {
        e.prevent_default();
        over.set(false);
        if let Some(list) = e.data_transfer().and_then(|d| d.files()) {
            folder.add(list);
        }
    };
    let dragged_over = move |e: DragEvent| {
        // Without this the browser opens the dropped file instead.
        e.prevent_default();
        over.set(true);
    };
    view! {
        div(class="files-panel", role="group", aria-labelledby="files-heading") {
            h3(id="files-heading") { (t("filesHeading")) }
            div(class="file-drop", data-over=over.get().to_string(), aria-busy=folder.busy.get().to_string(),
                on:dragover=dragged_over, on:dragleave=move |_| over.set(false), on:drop=dropped) {
                span { (t("filesDropHint")) } " "
                label(class="button secondary") {
                    (t("filesPick"))
                    input(class="visually-hidden", r#type="file", multiple=true, on:change=picked)
                }
            }
            p(class="muted") { (t_with("filesLimit", &[&megabytes(MAX_FILE_BYTES)])) }
            (folder.problems.get_clone().into_iter().map(|problem| view! {
                p(class="error", role="alert") { (problem) }
            }).collect::<Vec<_>>())
            (if folder.files.with(Vec::is_empty) {
                view! { p(class="muted stored-files-empty") { (t("filesNone")) } }
            } else {
                view! {}
            })
            ul(class="stored-files") {
                Keyed(
                    list=folder.files,
                    view=move |file| {
                        let path = file.path.clone();
                        let label = t_with("filesRemoveLabel", &[&path]);
                        let shown = path.clone();
                        let data_path = path.clone();
                        view! {
                            li(class="stored-file", data-path=data_path) {
                                code { (shown) } " "
                                span(class="muted") { (file_size(file.size)) } " "
                                button(r#type="button", class="link", aria-label=label,
                                       on:click=move |_| folder.remove(path.clone())) { (t("filesRemove")) }
                            }
                        }
                    },
                    key=|file| format!("{}|{}", file.path, file.size),
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_files_are_checked_by_name_size_and_what_is_stored() {
        let stored = [FileInfo {
            path: "notes.txt".into(),
            size: 3,
        }];
        assert_eq!(check_new("plan.md", 10, &stored), Ok("plan.md".to_string()));
        let taken = check_new("notes.txt", 10, &stored).expect_err("a taken name");
        assert!(taken.contains("notes.txt"), "{taken}");
        let big = check_new("movie.mp4", MAX_FILE_BYTES + 1, &stored).expect_err("too big");
        assert!(big.contains("movie.mp4") && big.contains("10"), "{big}");
        let bad = check_new("..", 1, &stored).expect_err("a bad name");
        assert!(bad.contains("\"..\""), "{bad}");
    }
}
