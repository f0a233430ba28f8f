//! The microphone permission page: opened in a tab the first time dictation needs the
//! microphone, because the offscreen document that records cannot show the browser's prompt.
//! Chromium remembers the answer for Lantern's origin, so this is asked once.

use sycamore::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{MediaStream, MediaStreamConstraints, MediaStreamTrack};

use crate::i18n::t;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Answer {
    Asking,
    Allowed,
    Refused,
    NoMicrophone,
}

/// Asks for the microphone, and lets go of it at once: the grant is what this page is for.
async fn ask() -> Answer {
    let Some(devices) = web_sys::window().and_then(|w| w.navigator().media_devices().ok()) else {
        return Answer::NoMicrophone;
    };
    let constraints = MediaStreamConstraints::new();
    constraints.set_audio_bool(true);
    let Ok(asked) = devices.get_user_media_with_constraints(&constraints) else {
        return Answer::NoMicrophone;
    };
    match JsFuture::from(asked).await {
        Ok(stream) => {
            let stream: MediaStream = stream.unchecked_into();
            for track in stream.get_tracks().iter() {
                track.unchecked_into::<MediaStreamTrack>().stop();
            }
            Answer::Allowed
        }
        Err(err) => {
            let name = js_sys::Reflect::get(&err, &"name".into())
                .ok()
                .and_then(|n| n.as_string());
            match name.as_deref() {
                Some("NotFoundError" | "OverconstrainedError") => Answer::NoMicrophone,
                _ => Answer::Refused,
            }
        }
    }
}

#[component]
pub fn MicrophonePage() -> View {
    let answer = create_signal(Answer::Asking);
    let request = move || {
        answer.set(Answer::Asking);
        wasm_bindgen_futures::spawn_local(async move { answer.set(ask().await) });
    };
    on_mount(request);
    view! {
        section(class="card", aria-labelledby="microphone-heading", data-state=format!("{:?}", answer.get()).to_lowercase()) {
            h2(id="microphone-heading") { (t("micHeading")) }
            p { (t("micPrivacy")) }
            (match answer.get() {
                Answer::Asking => view! {
                    p(role="status") { (t("micAsking")) }
                },
                Answer::Allowed => view! {
                    p(role="status") { (t("micAllowed")) }
                },
                Answer::Refused => view! {
                    p(class="error", role="alert") {
                        (t("micRefused"))
                    }
                    button(on:click=move |_| request()) { (t("allowMicrophone")) }
                },
                Answer::NoMicrophone => view! {
                    p(class="error", role="alert") { (t("micNotFound")) }
                    button(on:click=move |_| request()) { (t("tryAgain")) }
                },
            })
        }
    }
}
