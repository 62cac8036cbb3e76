//! The REST API (firmware 1.7+): `/restapi/relay/outlets/<sel>/<field>/` with 0-based indexes,
//! `all;` and `=a,b` selectors, `state` (GET/PUT), `physical_state` (GET), `cycle` (POST),
//! `name` (GET). Digest authentication on every request; `X-CSRF` required on writes.

use std::sync::Arc;
use std::thread;
use std::time::Duration;

use super::auth::{digest_challenge, digest_ok};
use super::Shared;
use crate::http::{form_pairs, Request, Response};

fn selection(sel: &str, n: usize) -> Option<Vec<usize>> {
    if sel == "all;" || sel.starts_with("all;") {
        return Some((0..n).collect());
    }
    if let Some(list) = sel.strip_prefix('=') {
        return list.split(',').map(|i| i.parse::<usize>().ok().filter(|i| *i < n)).collect();
    }
    sel.parse::<usize>().ok().filter(|i| *i < n).map(|i| vec![i])
}

/// Handles a REST request.
pub(crate) fn handle(shared: &Shared, req: &Request) -> Response {
    let Ok(mut sw) = shared.lock() else { return Response::new(500, "text/plain", "poisoned") };
    if !sw.args.rest {
        return Response::new(404, "text/html", "<html><body>Not found</body></html>");
    }
    if sw.args.always_401 || !digest_ok(&sw, req) {
        let challenge = digest_challenge(&mut sw);
        return Response::new(401, "application/json", "{\"error\":\"unauthorized\"}")
            .header("WWW-Authenticate", &challenge);
    }
    let write = req.method != "GET";
    if write && req.header("X-CSRF").is_none() {
        return Response::new(403, "application/json", "{\"error\":\"CSRF header missing\"}");
    }
    let parts: Vec<&str> = req.path.trim_start_matches("/restapi/").trim_end_matches('/').split('/').collect();
    let n = sw.outlets.len();
    match parts.as_slice() {
        ["relay", "outlets"] => Response::json(format!(
            "[{}]",
            sw.outlets.iter().map(|o| format!("{{\"state\":{o}}}")).collect::<Vec<_>>().join(",")
        )),
        ["relay", "outlets", sel, field] => {
            let Some(idx) = selection(sel, n) else {
                return Response::new(404, "application/json", "{\"error\":\"no such outlet\"}");
            };
            let many = sel.starts_with("all;") || sel.starts_with('=');
            match (req.method.as_str(), *field) {
                ("GET", "state") | ("GET", "physical_state") => {
                    let vals: Vec<String> = idx.iter().map(|&i| sw.outlets[i].to_string()).collect();
                    Response::json(if many { format!("[{}]", vals.join(",")) } else { vals[0].clone() })
                }
                ("GET", "name") => {
                    let vals: Vec<String> = idx.iter().map(|&i| format!("\"{}\"", sw.names[i])).collect();
                    Response::json(if many { format!("[{}]", vals.join(",")) } else { vals[0].clone() })
                }
                ("PUT", "state") | ("PUT", "transient_state") => {
                    let value = form_pairs(&req.body).into_iter().find(|(k, _)| k == "value").map(|(_, v)| v);
                    let on = match value.as_deref() {
                        Some("true") => true,
                        Some("false") => false,
                        _ => {
                            return Response::new(
                                400,
                                "application/json",
                                "{\"error\":\"value must be true or false\"}",
                            )
                        }
                    };
                    idx.iter().for_each(|&i| sw.set(i, on));
                    Response::new(204, "application/json", "")
                }
                ("POST", "cycle") => {
                    let delay = sw.args.cycle_ms;
                    let to_cycle: Vec<usize> = idx.into_iter().filter(|&i| sw.outlets[i]).collect();
                    to_cycle.iter().for_each(|&i| sw.set(i, false));
                    let shared = Arc::clone(shared);
                    thread::spawn(move || {
                        thread::sleep(Duration::from_millis(delay));
                        if let Ok(mut sw) = shared.lock() {
                            to_cycle.iter().for_each(|&i| sw.set(i, true));
                        }
                    });
                    Response::new(204, "application/json", "")
                }
                _ => Response::new(405, "application/json", "{\"error\":\"method not allowed\"}"),
            }
        }
        _ => Response::new(404, "application/json", "{\"error\":\"not found\"}"),
    }
}
