//! The catalog's models as this browser has them, shared by every view of a page: read once when
//! the first view needs it, read again after something changed them (a download, a delete, a
//! catalog or a settings change), and `of` for "the models of this task and role".

use protocol::{LanternError, ModelList, ModelStatus, Role, Task};
use sycamore::prelude::*;

use crate::client::shared as client;
use crate::fetch::Fetch;

/// The page's one model list. `Copy`: views and their tasks keep it by value.
#[derive(Clone, Copy)]
pub struct Models {
    pub list: Signal<Fetch<ModelList>>,
    /// Counts reads, so a slow older read cannot overwrite a newer one.
    reads: Signal<u32>,
}

/// The models of `task` (all tasks when `None`) in `role` (all roles when `None`), in the
/// catalog's order.
pub fn of(list: &ModelList, task: Option<Task>, role: Option<Role>) -> Vec<ModelStatus> {
    list.models
        .iter()
        .filter(|m| task.is_none_or(|task| m.entry.task == task))
        .filter(|m| role.is_none_or(|role| m.entry.role == role))
        .cloned()
        .collect()
}

impl Models {
    pub fn new() -> Models {
        Models {
            list: create_signal(Fetch::Loading),
            reads: create_signal(0),
        }
    }

    /// Reads the list unless it was read (or is being read) already; a failed read is tried
    /// again, which is what a view's Retry wants.
    pub fn ensure(self) {
        let failed = self.list.with_untracked(|l| matches!(l, Fetch::Failed(_)));
        if self.reads.get_untracked() == 0 || failed {
            self.refresh();
        }
    }

    /// The models may have changed elsewhere: a list this page read is read again.
    pub fn changed(self) {
        if self.reads.get_untracked() > 0 {
            self.refresh();
        }
    }

    /// Reads the list again. The list shown stays until the new one arrives, so nothing
    /// flickers; after a failure it shows as loading again.
    pub fn refresh(self) {
        wasm_bindgen_futures::spawn_local(async move {
            let _ = self.reload().await;
        });
    }

    /// Reads the list again (as `refresh`) and waits for it.
    pub async fn reload(self) -> Result<ModelList, LanternError> {
        if self.list.with_untracked(|l| matches!(l, Fetch::Failed(_))) {
            self.list.set(Fetch::Loading);
        }
        self.reads.update(|n| *n += 1);
        let this_read = self.reads.get_untracked();
        let read = client().list_models().await;
        if self.reads.get_untracked() == this_read {
            self.list.set(match &read {
                Ok(list) => Fetch::Ready(list.clone()),
                Err(error) => Fetch::Failed(error.clone()),
            });
        }
        read
    }

    /// Whether the list is being read for the first time (or again after a failure).
    pub fn is_loading(self) -> bool {
        self.list.with(|l| matches!(l, Fetch::Loading))
    }

    /// The models of `task` in `role` from the list as it stands (none while it is read).
    pub fn of(self, task: Option<Task>, role: Option<Role>) -> Vec<ModelStatus> {
        self.list.with(|l| match l {
            Fetch::Ready(list) => of(list, task, role),
            _ => Vec::new(),
        })
    }
}

/// The built-in catalog's models as the engine lists them, `installed` downloaded (for tests).
#[cfg(test)]
pub fn builtin_list(installed: &[&str]) -> ModelList {
    use protocol::{Catalog, ModelState};
    ModelList {
        catalog_url: None,
        catalog_warning: None,
        models: Catalog::builtin()
            .models
            .into_iter()
            .map(|entry| ModelStatus {
                state: if installed.contains(&entry.id.as_str()) {
                    ModelState::Installed {
                        bytes: 1,
                        update_available: false,
                    }
                } else {
                    ModelState::Available
                },
                entry,
            })
            .collect(),
        storage_usage: 0,
        storage_quota: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn models_are_chosen_by_task_and_role() {
        let list = builtin_list(&[]);
        let chat = of(&list, Some(Task::Llm), Some(Role::Model));
        assert!(!chat.is_empty());
        assert!(
            chat.iter()
                .all(|m| m.entry.task == Task::Llm && m.entry.role == Role::Model)
        );
        let speech = of(&list, Some(Task::Stt), None);
        assert!(speech.iter().any(|m| m.entry.role == Role::Asset));
        assert!(speech.iter().any(|m| m.entry.role == Role::Model));
        assert_eq!(of(&list, None, None).len(), list.models.len());
        let models = of(&list, None, Some(Role::Model));
        assert!(models.iter().all(|m| m.entry.role == Role::Model));
        assert!(models.len() < list.models.len());
    }
}
