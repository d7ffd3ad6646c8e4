/* The search page's snippets from the page's text alone (loaded by
   templates/lean/search.html after Sphinx's searchtools.js, before the
   index it searches). Sphinx makes each result's snippet from the text of
   the page's [role="main"] element; in the theme that element also holds
   the header's buttons and links ("Suggest edit", "Dark mode") and the
   page's list of sections, whose words then began the snippets. Only the
   article is left in it. (The index itself is made from the text alone.) */
(() => {
  "use strict";
  if (typeof Search === "undefined" || !Search.htmlToText) return;
  const toText = Search.htmlToText;
  Search.htmlToText = (htmlString, anchor) => {
    const page = new DOMParser().parseFromString(htmlString, "text/html");
    const main = page.querySelector('[role="main"]');
    const article = main && main.querySelector("article.bd-article");
    if (!article) return toText(htmlString, anchor);
    main.replaceChildren(article);
    return toText(page.documentElement.outerHTML, anchor);
  };
})();
