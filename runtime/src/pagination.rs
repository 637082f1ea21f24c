//! Paging: the stream of every page's items, and the helpers each paging style needs.

use super::{Error, HeaderMap, RequestOptions, Stream};
use std::future::Future;

/// The request for the page at `next` (a URL a response gave), or `None` when there is
/// none or it is the URL just fetched (a server that hands back the same page would page
/// forever). `options` reaches the request's options.
pub fn next_page_at<R>(
    mut request: R,
    next: Option<String>,
    options: impl Fn(&mut R) -> &mut RequestOptions,
) -> Option<R> {
    let next = next?;
    let current = options(&mut request);
    if current.settings().and_then(|settings| settings.url.as_deref()) == Some(next.as_str()) {
        return None;
    }
    current.settings_mut().url = Some(next);
    Some(request)
}

/// The URL of the `rel="next"` link of a `Link` header (RFC 8288), as GitHub pages:
/// `<https://api.github.com/…&page=2>; rel="next", <…>; rel="last"`.
pub fn next_link(headers: &HeaderMap) -> Option<String> {
    for value in headers.get_all(reqwest::header::LINK) {
        let Ok(value) = value.to_str() else { continue };
        let mut rest = value;
        while let Some(open) = rest.find('<') {
            let close = open + rest[open..].find('>')?;
            let url = &rest[open + 1..close];
            // The link's parameters run to the next link (a `,` outside `<…>`).
            let parameters_end = rest[close..].find(",").map_or(rest.len(), |at| close + at);
            let parameters = &rest[close + 1..parameters_end];
            let is_next = parameters.split(';').any(|parameter| {
                let Some((name, relations)) = parameter.split_once('=') else { return false };
                name.trim().eq_ignore_ascii_case("rel")
                    && relations
                        .trim()
                        .trim_matches('"')
                        .split_whitespace()
                        .any(|relation| relation.eq_ignore_ascii_case("next"))
            });
            if is_next {
                return Some(url.to_owned());
            }
            rest = &rest[parameters_end..];
        }
    }
    None
}

/// The items of every page, fetched as the stream is polled. `fetch` sends one page's
/// request and returns its items and the request for the next page, if there is one.
/// The stream is `Unpin` (its state is boxed once), so `.next().await` needs no pinning.
pub fn paginate<'a, S, I, E, F, Fut>(first: S, fetch: F) -> impl Stream<Item = Result<I, Error<E>>> + Unpin + 'a
where
    S: 'a,
    I: 'a,
    E: 'a,
    F: FnMut(S) -> Fut + 'a,
    Fut: Future<Output = Result<(Vec<I>, Option<S>), Error<E>>> + 'a,
{
    enum State<S, I> {
        Fetch(S),
        Yield(std::vec::IntoIter<I>, Option<S>),
        Done,
    }
    Box::pin(futures_util::stream::unfold((State::Fetch(first), fetch), |(mut state, mut fetch)| async move {
        loop {
            state = match state {
                State::Done => return None,
                State::Yield(mut items, next) => match items.next() {
                    Some(item) => return Some((Ok(item), (State::Yield(items, next), fetch))),
                    None => next.map_or(State::Done, State::Fetch),
                },
                State::Fetch(request) => match fetch(request).await {
                    Ok((items, next)) => State::Yield(items.into_iter(), next),
                    Err(error) => return Some((Err(error), (State::Done, fetch))),
                },
            }
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;
    use reqwest::header::{HeaderValue, LINK};

    fn links(values: &[&'static str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(LINK, HeaderValue::from_static(value));
        }
        headers
    }

    #[test]
    fn the_next_link_is_found_among_others_and_across_headers() {
        let github = links(&[
            r#"<https://api.github.com/repositories/1/issues?page=2>; rel="next", <https://api.github.com/repositories/1/issues?page=5>; rel="last""#,
        ]);
        assert_eq!(next_link(&github).as_deref(), Some("https://api.github.com/repositories/1/issues?page=2"));
        let later =
            links(&[r#"<https://x.test/?page=1>; rel="prev first""#, r#"<https://x.test/?page=3>; REL="Next""#]);
        assert_eq!(next_link(&later).as_deref(), Some("https://x.test/?page=3"));
        // A comma inside the URL is not a separator between links.
        let comma = links(&[r#"<https://x.test/?ids=1,2>; rel="next""#]);
        assert_eq!(next_link(&comma).as_deref(), Some("https://x.test/?ids=1,2"));
        assert_eq!(next_link(&links(&[r#"<https://x.test/?page=1>; rel="prev""#])), None);
        assert_eq!(next_link(&HeaderMap::new()), None);
    }

    #[test]
    fn a_next_page_that_repeats_the_current_one_ends_paging() {
        let first = RequestOptions::new();
        let second = next_page_at(first, Some("https://x.test/?page=2".to_owned()), |options| options).expect("a page");
        assert_eq!(second.settings().and_then(|settings| settings.url.as_deref()), Some("https://x.test/?page=2"));
        assert!(next_page_at(second.clone(), Some("https://x.test/?page=2".to_owned()), |options| options).is_none());
        assert!(next_page_at(second, None, |options| options).is_none());
    }

    #[tokio::test]
    async fn paginate_yields_every_item_of_every_page_then_stops_at_an_error() {
        let pages = paginate(1_u32, |page| async move {
            match page {
                1 => Ok((vec!["a", "b"], Some(2))),
                2 => Ok((vec![], Some(3))),
                3 => Ok((vec!["c"], None)),
                _ => unreachable!("no page after the last"),
            }
        });
        let items: Vec<_> = pages.map(|item: Result<&str, Error<()>>| item.expect("a page")).collect().await;
        assert_eq!(items, ["a", "b", "c"]);

        let failing = paginate(1_u32, |page| async move {
            match page {
                1 => Ok((vec![1], Some(2))),
                _ => Err(Error::<()>::InvalidRequest("page 2 failed".to_owned())),
            }
        });
        let items: Vec<_> = failing.collect().await;
        assert_eq!(items.len(), 2);
        assert!(matches!(items[1], Err(Error::InvalidRequest(_))));
    }
}
