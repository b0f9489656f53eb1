document.documentElement.dataset.siteJs = "loaded";
