package io.uringfs.engine;

import org.junit.jupiter.api.Test;

import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

class EngineSmokeTest {
    @Test
    void nopsFromVirtualThreads() throws Exception {
        try (Engine e = Engine.start(EngineConfig.defaults().withSqEntries(8))) {
            AtomicInteger ok = new AtomicInteger();
            try (var ex = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < 2000; i++) {
                    ex.submit(() -> { for (int j = 0; j < 50; j++) if (e.nop() == 0) ok.incrementAndGet(); });
                }
            }
            assertEquals(100_000, ok.get());
            System.out.println(e.stats());
        }
    }
}
