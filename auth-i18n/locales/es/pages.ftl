# pages

language-name = Español
