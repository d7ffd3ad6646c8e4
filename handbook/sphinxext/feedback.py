"""Feedback on every page: an email, or an issue, that names the page.

The website's footer (``handbook/templates/handbook-feedback.html``, listed
in conf.py's ``footer_content_items``) offers two routes. Neither needs a
script or loads anything from another site:

- a ``mailto:`` link, so a reader needs no account: the subject names the
  page and the body gives its address;
- a link that opens a new issue in the repository, with the page in its
  title and body, for readers who have a GitHub account.

Settings (conf.py):

- ``handbook_feedback_email`` (str): the address feedback goes to. Empty
  leaves the email out.
- ``handbook_feedback_issues`` (bool, True): offer the issue link too
  (it needs ``html_theme_options["repository_url"]``).
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from sphinx.application import Sphinx


def _page_address(app: Sphinx, pagename: str) -> str:
    return app.config.html_baseurl + app.builder.get_target_uri(pagename)


def mailto(address: str, title: str, page: str) -> str:
    """A mailto: link whose subject names the page and whose body gives its address."""
    subject = f"Feedback on “{title}”"
    body = f"Page: {page}\n\nWhat is wrong, missing or unclear:\n"
    return f"mailto:{address}?subject={quote(subject)}&body={quote(body)}"


def issue_link(repository: str, title: str, page: str) -> str:
    """A link to a new issue in the repository, its title and body naming the page."""
    query = urlencode({"title": f"Feedback on “{title}”",
                       "body": f"Page: {page}\n\nWhat is wrong, missing or unclear:\n"},
                      quote_via=quote)
    return f"{repository.rstrip('/')}/issues/new?{query}"


def _add_context(app: Sphinx, pagename, templatename, context, doctree) -> None:
    if doctree is None:  # the search page, the index: no page to comment on
        return
    title = app.env.titles[pagename].astext() if pagename in app.env.titles else pagename
    page = _page_address(app, pagename)
    if app.config.handbook_feedback_email:
        context["feedback_mailto"] = mailto(app.config.handbook_feedback_email, title, page)
    repository = app.config.html_theme_options.get("repository_url", "")
    if app.config.handbook_feedback_issues and repository:
        context["feedback_issue"] = issue_link(repository, title, page)


def setup(app: Sphinx) -> dict:
    app.add_config_value("handbook_feedback_email", "", "html", str)
    app.add_config_value("handbook_feedback_issues", True, "html", bool)
    app.connect("html-page-context", _add_context)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
