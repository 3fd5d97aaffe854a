package io.uringfs.it.clients;

import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.CheckIndex;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.LockObtainFailedException;
import org.apache.lucene.store.MMapDirectory;
import org.apache.lucene.store.NIOFSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.uringfs.it.clients.UringPaths.uring;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Apache Lucene, unchanged, indexing and searching on a {@code uring:} path: it creates files with
 * CREATE_NEW output streams, reads them with positional FileChannel reads (NIOFSDirectory) or
 * {@code FileChannel.map(..., Arena)} (MMapDirectory), fsyncs files and the directory, renames
 * segment files atomically, takes a native lock, lists and deletes. The same work on the default
 * provider must give the same files and the same hits.
 */
class LuceneIT {
    private static final String[] WORDS = {"alpha", "beta", "gamma", "delta", "uring", "ring", "virtual", "thread"};

    @TempDir
    Path tmp;

    @Test
    void niofsDirectoryOnUring() throws IOException {
        compare(NIOFSDirectory::new);
    }

    @Test
    void mmapDirectoryOnUring() throws IOException {
        compare(MMapDirectory::new);
    }

    @Test
    void nativeLockIsHeldAcrossWriters() throws IOException {
        try (Directory dir = new NIOFSDirectory(uring(tmp.resolve("locked")));
             IndexWriter first = new IndexWriter(dir, new IndexWriterConfig(new StandardAnalyzer()))) {
            first.commit();
            assertThrows(LockObtainFailedException.class,
                    () -> new IndexWriter(dir, new IndexWriterConfig(new StandardAnalyzer())).close());
        }
    }

    private interface DirectoryFactory {
        Directory open(Path path) throws IOException;
    }

    private void compare(DirectoryFactory factory) throws IOException {
        Result expected = indexAndSearch(factory, tmp.resolve("default-index"));
        Result actual = indexAndSearch(factory, uring(tmp.resolve("uring-index")));
        assertArrayEquals(expected.files(), actual.files(), "index files");
        assertEquals(expected.hits(), actual.hits(), "hits per query");
        assertTrue(actual.hits().stream().anyMatch(h -> !h.isEmpty()), "the queries found something");
    }

    private record Result(String[] files, List<List<String>> hits) {}

    private static Result indexAndSearch(DirectoryFactory factory, Path path) throws IOException {
        try (Directory dir = factory.open(path)) {
            IndexWriterConfig config = new IndexWriterConfig(new StandardAnalyzer()).setUseCompoundFile(false);
            try (IndexWriter w = new IndexWriter(dir, config)) {
                for (int i = 0; i < 500; i++) {
                    w.addDocument(doc(i));
                    if (i % 150 == 149) w.commit(); // several segments
                }
                w.deleteDocuments(new Term("id", "7"), new Term("id", "300"));
                w.commit();
                w.forceMerge(1);
                w.commit();
            }
            assertTrue(new CheckIndex(dir).checkIndex().clean, "CheckIndex on " + path);
            String[] files = dir.listAll();
            List<List<String>> hits = new ArrayList<>();
            try (DirectoryReader reader = DirectoryReader.open(dir)) {
                IndexSearcher searcher = new IndexSearcher(reader);
                for (String word : WORDS) {
                    List<String> ids = new ArrayList<>();
                    for (ScoreDoc sd : searcher.search(new TermQuery(new Term("body", word)), 20).scoreDocs) {
                        ids.add(searcher.storedFields().document(sd.doc).get("id"));
                    }
                    ids.add("count=" + searcher.count(new TermQuery(new Term("body", word))));
                    hits.add(ids);
                }
                assertEquals(498, reader.numDocs());
            }
            return new Result(Arrays.stream(files).filter(f -> !f.equals("write.lock")).toArray(String[]::new), hits);
        }
    }

    private static Document doc(int i) {
        StringBuilder body = new StringBuilder();
        for (int k = 0; k < 5 + i % 7; k++) {
            body.append(WORDS[(i * 7 + k * k) % WORDS.length]).append(' ');
        }
        body.append("document").append(i);
        Document d = new Document();
        d.add(new StringField("id", Integer.toString(i), Field.Store.YES));
        d.add(new TextField("body", body.toString(), Field.Store.YES));
        return d;
    }
}
