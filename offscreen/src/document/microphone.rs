//! The microphone, in the offscreen document: opened with `getUserMedia` (which cannot prompt
//! here: the grant comes once from Lantern's permission page, and Chromium remembers it for the
//! extension), captured by an AudioWorklet (`static/mic-worklet.js`) that posts buffers of mono
//! samples at the context's rate, and closed by dropping it.

use js_sys::{Float32Array, Object, Reflect};
use protocol::{ErrorCode, LanternError};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    AudioContext, AudioContextState, AudioWorkletNode, MediaStream, MediaStreamConstraints,
    MediaStreamTrack, MessageEvent, PermissionState, PermissionStatus,
};

const PROCESSOR: &str = "lantern-microphone";

pub struct Microphone {
    stream: MediaStream,
    context: AudioContext,
    node: AudioWorkletNode,
    _on_buffer: Closure<dyn FnMut(MessageEvent)>,
}

impl Microphone {
    /// Opens `device` (a `deviceId` from the settings), or the system's default microphone;
    /// `on_buffer` gets each buffer of samples as it is captured.
    pub async fn open(
        device: Option<&str>,
        mut on_buffer: impl FnMut(Float32Array) + 'static,
    ) -> Result<Microphone, LanternError> {
        let window = web_sys::window().ok_or_else(|| internal("no window"))?;
        let devices = window
            .navigator()
            .media_devices()
            .map_err(|_| not_found("this browser offers no microphone access here"))?;
        let constraints = MediaStreamConstraints::new();
        constraints.set_audio(&audio_constraints(device));
        constraints.set_video_bool(false);
        let asked = devices
            .get_user_media_with_constraints(&constraints)
            .map_err(|err| internal(&describe(&err)))?;
        let stream: MediaStream = match JsFuture::from(asked).await {
            Ok(stream) => stream.unchecked_into(),
            Err(err) => return Err(refusal(&window, &err, device.is_some()).await),
        };
        let on_buffer = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            if let Ok(samples) = event.data().dyn_into::<Float32Array>() {
                on_buffer(samples);
            }
        });
        let wired = wire(&stream, &on_buffer).await;
        match wired {
            Ok((context, node)) => Ok(Microphone {
                stream,
                context,
                node,
                _on_buffer: on_buffer,
            }),
            Err(err) => {
                stop_tracks(&stream);
                Err(internal(&format!(
                    "could not start audio capture: {}",
                    describe(&err)
                )))
            }
        }
    }

    /// The rate of the samples `on_buffer` gets.
    pub fn sample_rate(&self) -> f32 {
        self.context.sample_rate()
    }
}

impl Drop for Microphone {
    fn drop(&mut self) {
        if let Ok(port) = self.node.port() {
            port.set_onmessage(None);
            port.close();
        }
        let _ = self.node.disconnect();
        stop_tracks(&self.stream);
        let _ = self.context.close();
    }
}

/// microphone -> worklet (-> destination, which pulls the graph; the worklet outputs silence).
async fn wire(
    stream: &MediaStream,
    on_buffer: &Closure<dyn FnMut(MessageEvent)>,
) -> Result<(AudioContext, AudioWorkletNode), JsValue> {
    let context = AudioContext::new()?;
    let module = webext::extension_url("offscreen/mic-worklet.js");
    JsFuture::from(context.audio_worklet()?.add_module(&module)?).await?;
    let source = context.create_media_stream_source(stream)?;
    let node = AudioWorkletNode::new(&context, PROCESSOR)?;
    node.port()?
        .set_onmessage(Some(on_buffer.as_ref().unchecked_ref()));
    source.connect_with_audio_node(&node)?;
    node.connect_with_audio_node(&context.destination())?;
    if context.state() == AudioContextState::Suspended {
        JsFuture::from(context.resume()?).await?;
    }
    Ok((context, node))
}

fn stop_tracks(stream: &MediaStream) {
    for track in stream.get_tracks().iter() {
        track.unchecked_into::<MediaStreamTrack>().stop();
    }
}

/// `true`, or `{deviceId: {exact: id}}`: a chosen microphone that is gone must fail, not
/// silently record from another one.
fn audio_constraints(device: Option<&str>) -> JsValue {
    let Some(id) = device else {
        return JsValue::TRUE;
    };
    let exact = Object::new();
    let audio = Object::new();
    // Setting a property on a fresh plain object cannot fail.
    let _ = Reflect::set(&exact, &"exact".into(), &id.into());
    let _ = Reflect::set(&audio, &"deviceId".into(), &exact);
    audio.into()
}

/// Turns a `getUserMedia` failure into what the user can do about it; `chosen` says whether
/// the settings named a particular microphone.
async fn refusal(window: &web_sys::Window, err: &JsValue, chosen: bool) -> LanternError {
    let name = Reflect::get(err, &"name".into())
        .ok()
        .and_then(|n| n.as_string())
        .unwrap_or_default();
    match name.as_str() {
        "NotAllowedError" | "SecurityError" => match permission(window).await {
            Some(PermissionState::Prompt) => LanternError::new(
                ErrorCode::MicrophonePermissionNeeded,
                "Lantern has not been allowed to use the microphone yet: allow it once on \
                 Lantern's microphone page, then press Dictate again.",
            ),
            Some(PermissionState::Granted) => LanternError::new(
                ErrorCode::MicrophoneDenied,
                "The microphone is blocked outside Lantern (by the system or a policy): allow \
                 Chromium to use it in the system's privacy settings, then try again.",
            ),
            _ => LanternError::new(
                ErrorCode::MicrophoneDenied,
                "Lantern is not allowed to use the microphone. Allow it for Lantern in \
                 Chromium's settings (chrome://settings/content/microphone), then press Dictate \
                 again.",
            ),
        },
        "NotFoundError" | "OverconstrainedError" if chosen => not_found(
            "The microphone chosen in Lantern's settings is not connected. Connect it, or \
             choose another one (or the system default) in Settings, then press Dictate again.",
        ),
        "NotFoundError" | "OverconstrainedError" => {
            not_found("No microphone was found. Connect one, then press Dictate again.")
        }
        "NotReadableError" | "AbortError" => not_found(
            "The microphone could not be opened: another application may be using it, or it \
             was disconnected. Check it, then press Dictate again.",
        ),
        _ => internal(&format!("could not open the microphone: {}", describe(err))),
    }
}

/// The microphone permission Chromium holds for Lantern: `prompt` until the permission page got
/// an answer, then `granted` or `denied`.
async fn permission(window: &web_sys::Window) -> Option<PermissionState> {
    let query = Object::new();
    Reflect::set(&query, &"name".into(), &"microphone".into()).ok()?;
    let asked = window.navigator().permissions().ok()?.query(&query).ok()?;
    let status: PermissionStatus = JsFuture::from(asked).await.ok()?.unchecked_into();
    Some(status.state())
}

fn describe(err: &JsValue) -> String {
    let text = |key: &str| {
        Reflect::get(err, &key.into())
            .ok()
            .and_then(|v| v.as_string())
    };
    match (text("name"), text("message")) {
        (Some(name), Some(message)) => format!("{name}: {message}"),
        _ => err.as_string().unwrap_or_else(|| "unknown error".into()),
    }
}

fn not_found(message: &str) -> LanternError {
    LanternError::new(ErrorCode::MicrophoneNotFound, message)
}

fn internal(message: &str) -> LanternError {
    LanternError::new(ErrorCode::Internal, message)
}
