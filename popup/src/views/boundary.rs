//! A view's error boundary: a card that cannot do its job reports why through `Fault`, and the
//! boundary shows that reason with a Retry that builds the card afresh, while the other cards
//! of the page go on working.
//!
//! A panic cannot be caught here: it aborts the whole wasm module, and `static/ui.js` then says
//! that Lantern stopped on the page. What a boundary catches are the failures views report.

use protocol::LanternError;
use sycamore::prelude::*;

use super::error_text::error_text;
use crate::i18n::{t, t_with};

/// What a view inside a boundary uses to give up with a reason.
#[derive(Clone, Copy)]
pub struct Fault(Signal<Option<LanternError>>);

impl Fault {
    /// Replaces the view with `error` and a Retry.
    pub fn fail(self, error: LanternError) {
        self.0.set(Some(error));
    }
}

/// The boundary around the view being built, if there is one.
pub fn fault() -> Option<Fault> {
    try_use_context::<Fault>()
}

/// Builds `view` inside a boundary; `title` names it in the failure message, `name` (English,
/// stable) in the failure's `data-view`.
#[component(inline_props)]
pub fn Boundary(name: &'static str, title: String, view: fn() -> View) -> View {
    let failure = create_signal(None::<LanternError>);
    let attempt = create_signal(0u32);
    // Each attempt lives in a scope of the boundary's own parent rather than of the switch
    // below: a failed attempt's tasks may still be writing to its signals, and writing to a
    // disposed signal panics. A replaced attempt just stops being shown.
    let home = use_current_scope();
    let build = move || {
        home.run_in(|| {
            let mut built = None;
            create_child_scope(|| {
                provide_context(Fault(failure));
                built = Some(untrack(view));
            });
            built.unwrap_or_default()
        })
    };
    let retry = move |_| {
        failure.set(None);
        attempt.update(|n| *n += 1);
    };
    view! {
        (match failure.get_clone() {
            Some(error) => {
                let code = format!("{:?}", error.code);
                let heading = t_with("viewFailed", &[&title]);
                view! {
                    section(class="card failed", role="alert", data-view=name, data-code=code) {
                        h2 { (heading) }
                        p(class="error") { (error_text(&error)) }
                        button(r#type="button", on:click=retry) { (t("retry")) }
                    }
                }
            }
            None => {
                attempt.track();
                build()
            }
        })
    }
}
