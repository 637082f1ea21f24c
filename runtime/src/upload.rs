//! Bodies to upload: [`File`]s (from memory, a path or a stream) and `multipart/form-data`
//! bodies.

use std::fmt;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use super::encode::json_value;
use super::{Bytes, Stream, StreamExt};
use serde::Serialize;

/// A file to upload: its contents, and the name and media type the server is told.
///
/// The contents come from memory ([`File::new`]), from a path read as the request goes
/// out ([`File::from_path`]: never held whole, read again on a retry) or from a stream
/// ([`File::from_stream`]: read once, so a request carrying one is not retried).
///
/// Without a file name, the part is named after its field (or the path's file name);
/// without a content type, the spec's `encoding` decides, else `application/octet-stream`.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct File {
    source: Source,
    file_name: Option<String>,
    content_type: Option<String>,
}

/// A stream of a file's chunks, taken by the one attempt that sends it.
type ChunkStream = Pin<Box<dyn Stream<Item = Result<Bytes, std::io::Error>> + Send>>;

/// Where a file's contents come from.
#[derive(Clone)]
enum Source {
    Memory(Bytes),
    Path(PathBuf),
    /// Shared by the file's clones: whichever sends first takes it.
    Stream(Arc<Mutex<Option<ChunkStream>>>),
}

impl Default for Source {
    fn default() -> Self {
        Self::Memory(Bytes::new())
    }
}

/// Contents in memory compare by value, paths by path, streams by identity.
impl PartialEq for Source {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Memory(left), Self::Memory(right)) => left == right,
            (Self::Path(left), Self::Path(right)) => left == right,
            (Self::Stream(left), Self::Stream(right)) => Arc::ptr_eq(left, right),
            _ => false,
        }
    }
}

impl Eq for Source {}

impl File {
    /// A file whose contents are in memory.
    pub fn new(bytes: impl Into<Bytes>) -> Self {
        Self { source: Source::Memory(bytes.into()), file_name: None, content_type: None }
    }

    /// The file at `path`, read a chunk at a time as the request is sent (and again on a
    /// retry); it is named after the path's last component unless [`file_name`](Self::file_name)
    /// says otherwise. A file that cannot be read fails the request with [`Error::Upload`](super::Error::Upload).
    pub fn from_path(path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        let file_name = path.file_name().map(|name| name.to_string_lossy().into_owned());
        Self { source: Source::Path(path), file_name, content_type: None }
    }

    /// Contents that arrive as a stream of chunks (from another response, a pipe, a
    /// generator), sent as they come. A stream can be read only once, so a request that
    /// carries one is never retried; an error from the stream fails the request.
    pub fn from_stream<S, B, E>(stream: S) -> Self
    where
        S: Stream<Item = Result<B, E>> + Send + 'static,
        B: Into<Bytes>,
        E: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let chunks: ChunkStream = Box::pin(stream.map(|chunk| chunk.map(Into::into).map_err(std::io::Error::other)));
        Self { source: Source::Stream(Arc::new(Mutex::new(Some(chunks)))), file_name: None, content_type: None }
    }

    /// The name the server sees (`report.pdf`); servers often go by its extension.
    pub fn file_name(mut self, file_name: impl Into<String>) -> Self {
        self.file_name = Some(file_name.into());
        self
    }

    /// The media type of the contents (`image/png`).
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// The contents, when they are in memory.
    pub fn bytes(&self) -> Option<&Bytes> {
        match &self.source {
            Source::Memory(bytes) => Some(bytes),
            Source::Path(_) | Source::Stream(_) => None,
        }
    }

    /// The file as a whole request body: its own content type, else `media_type` (the
    /// spec's) when it names one type, else `application/octet-stream`.
    pub(crate) fn into_payload(self, media_type: &str) -> (String, Payload) {
        let media_type = self.content_type.unwrap_or_else(|| match media_type.contains([',', '*']) {
            true => "application/octet-stream".to_owned(),
            false => media_type.to_owned(),
        });
        (media_type, Payload::from_pieces(vec![self.source]))
    }
}

impl From<Vec<u8>> for File {
    fn from(bytes: Vec<u8>) -> Self {
        Self::new(bytes)
    }
}

impl From<Bytes> for File {
    fn from(bytes: Bytes) -> Self {
        Self::new(bytes)
    }
}

impl From<&'static [u8]> for File {
    fn from(bytes: &'static [u8]) -> Self {
        Self::new(bytes)
    }
}

impl fmt::Debug for File {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("File");
        match &self.source {
            Source::Memory(bytes) => debug.field("len", &bytes.len()),
            Source::Path(path) => debug.field("path", path),
            Source::Stream(_) => debug.field("stream", &".."),
        };
        debug.field("file_name", &self.file_name).field("content_type", &self.content_type).finish()
    }
}

/// Only for a type that is also sent as JSON, where binary data has no better spelling;
/// contents not in memory cannot be written there.
impl Serialize for File {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.source {
            Source::Memory(bytes) => serializer.serialize_bytes(bytes),
            Source::Path(_) | Source::Stream(_) => {
                Err(serde::ser::Error::custom("a file from a path or a stream cannot be sent inside JSON"))
            }
        }
    }
}

impl<'de> serde::Deserialize<'de> for File {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        <Vec<u8> as serde::Deserialize>::deserialize(deserializer).map(Self::new)
    }
}

/// The files a multipart field holds: one, an optional one, or a list.
pub trait FileField {
    fn files(&self) -> Vec<&File>;
}

impl FileField for File {
    fn files(&self) -> Vec<&File> {
        vec![self]
    }
}

impl<T: FileField> FileField for Option<T> {
    fn files(&self) -> Vec<&File> {
        self.as_ref().map(FileField::files).unwrap_or_default()
    }
}

impl<T: FileField> FileField for Vec<T> {
    fn files(&self) -> Vec<&File> {
        self.iter().flat_map(FileField::files).collect()
    }
}

/// The parts of a `multipart/form-data` body, in order.
#[derive(Default)]
pub struct Multipart {
    pub(crate) parts: Vec<Part>,
    pub(crate) problem: Option<String>,
}

pub(crate) struct Part {
    pub(crate) name: String,
    pub(crate) file_name: Option<String>,
    pub(crate) content_type: Option<String>,
    body: Source,
}

impl Multipart {
    pub fn new() -> Self {
        Self::default()
    }

    /// A field's value as text parts: a string as it is, a number or boolean in its JSON
    /// spelling, an array as one part per item, an object as JSON (`application/json`).
    /// `content_type` is the spec's `encoding` for the field; `null` adds nothing.
    pub fn text<T: Serialize + ?Sized>(mut self, name: &str, value: &T, content_type: Option<&'static str>) -> Self {
        match json_value(value) {
            Ok(value) => self.push_value(name, value, content_type),
            Err(error) => self.problem = Some(format!("request body field `{name}`: {error}")),
        }
        self
    }

    /// A field holding files: one file part each.
    pub fn file<F: FileField + ?Sized>(mut self, name: &str, field: &F, content_type: Option<&'static str>) -> Self {
        // An `encoding` such as `image/png, image/jpeg` or `image/*` names no one type.
        let spec_type = content_type.filter(|media| !media.contains([',', '*']));
        for file in field.files() {
            let content_type = file.content_type.as_deref().or(spec_type).unwrap_or("application/octet-stream");
            self.parts.push(Part {
                name: name.to_owned(),
                file_name: Some(file.file_name.clone().unwrap_or_else(|| name.to_owned())),
                content_type: Some(content_type.to_owned()),
                body: file.source.clone(),
            });
        }
        self
    }

    /// Every member of a body that is not a struct (a map, any JSON) as text parts.
    pub fn members<T: Serialize + ?Sized>(mut self, body: &T) -> Self {
        match json_value(body) {
            Ok(serde_json::Value::Object(members)) => {
                for (name, value) in members {
                    self.push_value(&name, value, None);
                }
            }
            Ok(_) => self.problem = Some("request body: a multipart body must be an object".to_owned()),
            Err(error) => self.problem = Some(format!("request body: {error}")),
        }
        self
    }

    fn push_value(&mut self, name: &str, value: serde_json::Value, content_type: Option<&'static str>) {
        use serde_json::Value;
        let (body, default_type) = match value {
            Value::Null => return,
            Value::Array(items) => {
                for item in items {
                    self.push_value(name, item, content_type);
                }
                return;
            }
            Value::String(text) => (text, None),
            Value::Object(_) => (value.to_string(), Some("application/json")),
            scalar => (scalar.to_string(), None),
        };
        self.parts.push(Part {
            name: name.to_owned(),
            file_name: None,
            content_type: content_type.or(default_type).map(str::to_owned),
            body: Source::Memory(body.into()),
        });
    }
}

/// A `Content-Disposition` parameter value, kept inside its quotes and on its line.
pub(crate) fn quoted_parameter(value: &str) -> String {
    value.replace('"', "%22").replace(['\r', '\n'], " ")
}

impl Multipart {
    /// The body: each part after a boundary line and its headers, files read only as
    /// the request goes out. The boundary is random, so no part's content can hold it by
    /// accident, and fixed for the request's retries.
    pub(crate) fn into_payload(self) -> Result<(String, Payload), String> {
        if let Some(problem) = self.problem {
            return Err(problem);
        }
        let boundary = format!("----generated-client-{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..));
        let mut pieces = Vec::with_capacity(self.parts.len() * 2 + 1);
        let mut head = String::new();
        for part in self.parts {
            head.push_str(&format!("--{boundary}\r\n"));
            let name = quoted_parameter(&part.name);
            match &part.file_name {
                Some(file_name) => head.push_str(&format!(
                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{}\"\r\n",
                    quoted_parameter(file_name)
                )),
                None => head.push_str(&format!("Content-Disposition: form-data; name=\"{name}\"\r\n")),
            }
            if let Some(content_type) = &part.content_type {
                head.push_str(&format!("Content-Type: {}\r\n", content_type.replace(['\r', '\n'], " ")));
            }
            head.push_str("\r\n");
            pieces.push(Source::Memory(Bytes::from(std::mem::take(&mut head))));
            pieces.push(part.body);
            head.push_str("\r\n");
        }
        head.push_str(&format!("--{boundary}--\r\n"));
        pieces.push(Source::Memory(Bytes::from(head)));
        Ok((format!("multipart/form-data; boundary={boundary}"), Payload::from_pieces(pieces)))
    }
}

impl fmt::Debug for Multipart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Multipart").field("parts", &self.parts.len()).field("problem", &self.problem).finish()
    }
}

/// A request body, sent whole on each attempt: in memory, or pieces some of which are
/// files read as it goes out.
#[derive(Clone)]
pub(crate) struct Payload {
    /// Never two `Memory` pieces in a row; a body in memory is one piece.
    pieces: Vec<Source>,
}

impl fmt::Debug for Payload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.in_memory() {
            Some(bytes) => write!(f, "{} bytes", bytes.len()),
            None => write!(f, "{} pieces, files among them", self.pieces.len()),
        }
    }
}

impl Payload {
    pub(crate) fn memory(bytes: impl Into<Bytes>) -> Self {
        Self { pieces: vec![Source::Memory(bytes.into())] }
    }

    fn from_pieces(pieces: Vec<Source>) -> Self {
        let mut merged: Vec<Source> = Vec::with_capacity(pieces.len());
        for piece in pieces {
            match (merged.last_mut(), piece) {
                (Some(Source::Memory(before)), Source::Memory(bytes)) => {
                    let mut joined = Vec::with_capacity(before.len() + bytes.len());
                    joined.extend_from_slice(before);
                    joined.extend_from_slice(&bytes);
                    *before = Bytes::from(joined);
                }
                (_, piece) => merged.push(piece),
            }
        }
        Self { pieces: merged }
    }

    /// The whole body, when it is in memory.
    pub(crate) fn in_memory(&self) -> Option<&Bytes> {
        match self.pieces.as_slice() {
            [] => None,
            [Source::Memory(bytes)] => Some(bytes),
            _ => None,
        }
    }

    /// Whether it can be sent again (a stream can be read only once).
    pub(crate) fn repeatable(&self) -> bool {
        !self.pieces.iter().any(|piece| matches!(piece, Source::Stream(_)))
    }

    /// The body for one attempt; for a streamed one also its length when that is known
    /// beforehand, to send as `Content-Length` (which some servers require of uploads;
    /// reqwest sets it itself for a body in memory). Files are opened here, so one that
    /// cannot be read fails the request before anything is sent.
    pub(crate) async fn body(&self) -> std::io::Result<(reqwest::Body, Option<u64>)> {
        if let Some(bytes) = self.in_memory() {
            return Ok((reqwest::Body::from(bytes.clone()), None));
        }
        let mut length = Some(0_u64);
        let mut streams: Vec<ChunkStream> = Vec::with_capacity(self.pieces.len());
        for piece in &self.pieces {
            match piece {
                Source::Memory(bytes) => {
                    length = length.map(|length| length + bytes.len() as u64);
                    streams.push(Box::pin(futures_util::stream::iter([Ok(bytes.clone())])));
                }
                Source::Path(path) => {
                    let opened = |error: std::io::Error| {
                        std::io::Error::new(error.kind(), format!("{}: {error}", path.display()))
                    };
                    let file = tokio::fs::File::open(path).await.map_err(opened)?;
                    let size = file.metadata().await.map_err(opened)?.len();
                    length = length.map(|length| length + size);
                    streams.push(Box::pin(tokio_util::io::ReaderStream::new(file)));
                }
                Source::Stream(shared) => {
                    length = None;
                    let taken = shared.lock().map_or(None, |mut stream| stream.take());
                    let stream = taken.ok_or_else(|| {
                        std::io::Error::other("a file given as a stream was already sent; a stream can be sent once")
                    })?;
                    streams.push(stream);
                }
            }
        }
        let chunks = futures_util::stream::iter(streams).flatten();
        Ok((reqwest::Body::wrap_stream(chunks), length))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a payload sends on one attempt, and the length it announces for a stream.
    async fn sent(payload: &Payload) -> std::io::Result<(Vec<u8>, Option<u64>)> {
        let (body, length) = payload.body().await?;
        let bytes = reqwest::Response::from(http::Response::new(body)).bytes().await;
        Ok((bytes.map_err(std::io::Error::other)?.to_vec(), length))
    }

    fn boundary(media_type: &str) -> &str {
        media_type.strip_prefix("multipart/form-data; boundary=").expect("a multipart media type")
    }

    #[tokio::test]
    async fn multipart_bodies_name_each_part_and_its_file() {
        let form = Multipart::new()
            .text("purpose", "dispute_evidence", None)
            .text("tags", &["a", "b"], None)
            .text("meta", &serde_json::json!({"k": 1}), None)
            .file("file", &File::new(b"%PDF".to_vec()).file_name("a\"b.pdf"), Some("application/pdf"))
            .file("scan", &Some(File::new(b"PNG".to_vec()).content_type("image/png")), Some("image/*"));
        let (media_type, payload) = form.into_payload().expect("a body");
        let boundary = boundary(&media_type).to_owned();
        assert!(payload.in_memory().is_some(), "parts in memory make one piece");
        let (bytes, length) = sent(&payload).await.expect("sent");
        assert_eq!(length, None, "reqwest counts a body in memory itself");
        let expected = [
            "purpose\"\r\n\r\ndispute_evidence",
            "tags\"\r\n\r\na",
            "tags\"\r\n\r\nb",
            "meta\"\r\nContent-Type: application/json\r\n\r\n{\"k\":1}",
            "file\"; filename=\"a%22b.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF",
            "scan\"; filename=\"scan\"\r\nContent-Type: image/png\r\n\r\nPNG",
        ]
        .map(|part| format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{part}\r\n"))
        .concat();
        assert_eq!(String::from_utf8(bytes).expect("text"), format!("{expected}--{boundary}--\r\n"));
    }

    #[tokio::test]
    async fn a_file_from_a_path_is_read_on_each_attempt_with_its_length() {
        let path = std::env::temp_dir().join(format!("runtime-upload-{}.csv", std::process::id()));
        std::fs::write(&path, b"id,name\n1,x\n").expect("a temporary file");
        let file = File::from_path(&path);
        let form = Multipart::new().text("kind", "csv", None).file("data", &file, None);
        let (media_type, payload) = form.into_payload().expect("a body");
        assert!(payload.repeatable() && payload.in_memory().is_none());
        let (first, length) = sent(&payload).await.expect("sent");
        let (second, _) = sent(&payload).await.expect("sent again, as a retry does");
        assert_eq!(first, second);
        assert_eq!(length, Some(first.len() as u64), "the length is announced");
        let text = String::from_utf8(first).expect("text");
        let file_name = format!("filename=\"{}\"", path.file_name().and_then(|name| name.to_str()).expect("a name"));
        assert!(text.contains(&file_name), "{text}");
        assert!(text.contains("application/octet-stream\r\n\r\nid,name\n1,x\n\r\n--"), "{text}");
        assert!(text.ends_with(&format!("--{}--\r\n", boundary(&media_type))));
        std::fs::remove_file(&path).expect("removed");

        let error = sent(&payload).await.expect_err("the file is gone");
        assert_eq!(error.kind(), std::io::ErrorKind::NotFound);
        assert!(error.to_string().contains(&path.display().to_string()), "names the path: {error}");
    }

    #[tokio::test]
    async fn a_stream_is_sent_once_as_it_comes() {
        let chunks = futures_util::stream::iter([Ok::<_, std::io::Error>("one,"), Ok("two")]);
        let file = File::from_stream(chunks).content_type("text/csv");
        assert_eq!(file.clone(), file, "clones share the stream");
        let (media_type, payload) = file.into_payload("application/octet-stream");
        assert_eq!(media_type, "text/csv", "the file's own type wins");
        assert!(!payload.repeatable());
        let (bytes, length) = sent(&payload).await.expect("sent");
        assert_eq!((bytes.as_slice(), length), (&b"one,two"[..], None));
        let again = sent(&payload).await.expect_err("a stream is read once");
        assert!(again.to_string().contains("already sent"), "{again}");
    }

    #[test]
    fn whole_bodies_take_the_specs_type_only_when_it_names_one() {
        let (media_type, _) = File::new(b"x".to_vec()).into_payload("image/*");
        assert_eq!(media_type, "application/octet-stream");
        let (media_type, payload) = File::new(b"x".to_vec()).into_payload("application/zip");
        assert_eq!(
            (media_type.as_str(), payload.in_memory().map(|bytes| &bytes[..])),
            ("application/zip", Some(&b"x"[..]))
        );
        assert_eq!(File::from_path("/tmp/report.pdf").file_name.as_deref(), Some("report.pdf"));
        assert!(serde_json::to_string(&File::from_path("/tmp/report.pdf")).is_err(), "not inside JSON");
    }
}
