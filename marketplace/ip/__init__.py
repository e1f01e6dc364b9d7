"""IP assets of universities; license agreements and royalties."""
