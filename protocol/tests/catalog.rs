//! The built-in catalog keeps the catalog rules, survives JSON, and resolves file URLs.

use protocol::*;

fn tiny_catalog() -> Catalog {
    let model = |id: &str, task, default| ModelEntry {
        id: id.into(),
        task,
        name: id.into(),
        version: "1".into(),
        role: Role::Model,
        default,
        format: Format::Gguf,
        quantization: "Q4_1".into(),
        license: "MIT".into(),
        ram_bytes: 1,
        languages: Vec::new(),
        requires: Vec::new(),
        files: vec![FileEntry {
            name: "model.gguf".into(),
            path: format!("{id}/model.gguf"),
            size: Some(10),
            sha256: Some("ab".repeat(32)),
        }],
    };
    Catalog {
        schema: CATALOG_SCHEMA,
        base_url: String::new(),
        models: vec![model("a", Task::Llm, true), model("b", Task::Llm, false)],
    }
}

#[test]
fn builtin_catalog_is_valid() {
    let catalog = Catalog::builtin();
    assert_eq!(catalog.validate(), Ok(()));
    for task in Task::ALL {
        let has_models = catalog
            .models
            .iter()
            .any(|m| m.task == task && m.role == Role::Model);
        assert_eq!(catalog.default_for(task).is_some(), has_models, "{task:?}");
    }
    for model in &catalog.models {
        for file in &model.files {
            assert!(
                catalog.file_url(file).starts_with("https://"),
                "{} {}",
                model.id,
                file.name
            );
        }
    }
}

#[test]
fn builtin_catalog_has_the_models_lantern_uses() {
    let catalog = Catalog::builtin();
    let default = |task| catalog.default_for(task).map(|m| m.id.as_str());
    assert_eq!(default(Task::Llm), Some("smollm2-135m-instruct-q4_1"));
    assert_eq!(default(Task::Stt), Some("whisper-tiny.en"));
    assert_eq!(default(Task::Vad), Some("silero-vad-16k"));
    assert_eq!(default(Task::Embed), Some("all-minilm-l6-v2"));
    assert_eq!(default(Task::Tts), Some("piper-en_US-joe-medium"));
    assert_eq!(default(Task::Vision), None);
    let whisper = catalog.model("whisper-base").expect("whisper-base");
    let url = catalog.file_url(whisper.file("config.json").expect("config.json"));
    assert_eq!(
        url,
        "https://huggingface.co/openai/whisper-base/resolve/main/config.json"
    );
    let smol = catalog
        .model("smollm2-135m-instruct-q4_1")
        .expect("smollm2");
    assert_eq!(smol.total_size(), Some(98_362_432));
    assert_eq!(whisper.total_size(), None);
}

#[test]
fn catalogs_round_trip_through_json() {
    for catalog in [Catalog::builtin(), tiny_catalog()] {
        let text = serde_json::to_string_pretty(&catalog).expect("serialises");
        let back: Catalog = serde_json::from_str(&text).expect("parses back");
        assert_eq!(back, catalog);
        let value = serde_json::to_value(&catalog).expect("to value");
        assert_eq!(serde_json::from_value::<Catalog>(value).ok(), Some(catalog));
    }
}

#[test]
fn optional_fields_may_be_left_out() {
    let text = r#"{"schema":1,"base_url":"","models":[{"id":"v","task":"vad","name":"V",
        "version":"1","format":"safetensors","quantization":"f32","license":"MIT",
        "ram_bytes":5,"files":[{"name":"model.safetensors","path":"v/model.safetensors"}]}]}"#;
    let catalog: Catalog = serde_json::from_str(text).expect("parses");
    let model = &catalog.models[0];
    assert_eq!((model.role, model.default), (Role::Model, false));
    assert_eq!(model.files[0].size, None);
    // Catalogs written before `languages` and `requires` existed still parse.
    assert!(model.languages.is_empty() && model.requires.is_empty());
    assert_eq!(
        catalog.validate(),
        Err(CatalogError::DefaultCount {
            task: "vad",
            count: 0
        })
    );
}

#[test]
fn broken_catalogs_are_refused() {
    let check = |edit: &dyn Fn(&mut Catalog)| {
        let mut catalog = tiny_catalog();
        edit(&mut catalog);
        catalog.validate()
    };
    assert_eq!(check(&|_| {}), Ok(()));
    assert_eq!(
        check(&|c| c.models[1].id = "a".into()),
        Err(CatalogError::DuplicateId("a".into()))
    );
    assert_eq!(
        check(&|c| c.models[0].id.clear()),
        Err(CatalogError::EmptyId)
    );
    assert!(matches!(
        check(&|c| c.models[1].default = true),
        Err(CatalogError::DefaultCount { count: 2, .. })
    ));
    assert_eq!(
        check(&|c| c.models[0].files.clear()),
        Err(CatalogError::NoFiles("a".into()))
    );
    for path in [
        "",
        "/etc/passwd",
        "../x",
        "a/../../x",
        "a\\b",
        "file:///etc/passwd",
    ] {
        assert!(
            matches!(
                check(&|c| c.models[0].files[0].path = path.into()),
                Err(CatalogError::BadPath { .. })
            ),
            "{path:?}"
        );
    }
    assert!(matches!(
        check(&|c| c.models[0].files[0].sha256 = Some("AB".repeat(32))),
        Err(CatalogError::BadSha256 { .. })
    ));
    assert!(matches!(
        check(&|c| {
            let twin = c.models[0].files[0].clone();
            c.models[0].files.push(twin)
        }),
        Err(CatalogError::DuplicateFileName { .. })
    ));
    assert_eq!(
        check(&|c| c.models[0].role = Role::Asset),
        Err(CatalogError::DefaultAsset("a".into()))
    );
    assert_eq!(
        check(&|c| c.schema = 99),
        Err(CatalogError::UnsupportedSchema(99))
    );
    assert!(matches!(
        check(&|c| c.base_url = "../up/".into()),
        Err(CatalogError::BadBaseUrl(_))
    ));
    assert_eq!(check(&|c| c.models[0].requires = vec!["b".into()]), Ok(()));
    assert_eq!(
        check(&|c| c.models[0].requires = vec!["b".into(), "gone".into()]),
        Err(CatalogError::UnknownRequirement {
            model: "a".into(),
            required: "gone".into()
        })
    );
    assert_eq!(
        check(&|c| c.models[0].requires = vec!["a".into()]),
        Err(CatalogError::RequiresItself("a".into()))
    );
    assert_eq!(
        check(&|c| c.models[0].languages = vec!["de".into()]),
        Ok(())
    );
    for language in ["", "EN", "deu", "pt-BR"] {
        assert_eq!(
            check(&|c| c.models[0].languages = vec![language.into()]),
            Err(CatalogError::BadLanguage {
                model: "a".into(),
                language: language.into()
            }),
            "{language:?}"
        );
    }
}

#[test]
fn a_relative_mirror_catalog_resolves_where_it_is_served() {
    let catalog = tiny_catalog().rebased("http://127.0.0.1:8799/catalog.json");
    let file = &catalog.models[0].files[0];
    assert_eq!(catalog.file_url(file), "http://127.0.0.1:8799/a/model.gguf");
    let mut nested = tiny_catalog();
    nested.base_url = "files".into();
    let nested = nested.rebased("http://127.0.0.1:8799/mirror/catalog.json");
    assert_eq!(
        nested.file_url(&nested.models[0].files[0]),
        "http://127.0.0.1:8799/mirror/files/a/model.gguf"
    );
}

#[test]
fn a_new_version_or_hash_means_an_update() {
    let installed = tiny_catalog().models[0].clone();
    assert!(!installed.changed_since(&installed));
    let mut newer = installed.clone();
    newer.version = "2".into();
    assert!(newer.changed_since(&installed));
    let mut rehashed = installed.clone();
    rehashed.files[0].sha256 = Some("cd".repeat(32));
    assert!(rehashed.changed_since(&installed));
    let mut unknown = installed.clone();
    unknown.files[0].sha256 = None;
    assert!(!unknown.changed_since(&installed));
    let mut more = installed.clone();
    more.files.push(FileEntry {
        name: "tokenizer.json".into(),
        path: "a/tokenizer.json".into(),
        size: None,
        sha256: None,
    });
    assert!(more.changed_since(&installed));
}
