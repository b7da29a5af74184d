package io.github.multiprocessing4j.internal.util;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SecondsPropertyTest {
    private static final String NAME = "mp4j.test.secondsProperty";

    @AfterEach
    void clear() {
        System.clearProperty(NAME);
    }

    @Test
    void unsetIsTheDefault() {
        assertThat(SecondsProperty.read(NAME, 5)).isEqualTo(5);
    }

    @Test
    void readsSecondsAroundBlanks() {
        System.setProperty(NAME, " 2.5 ");
        assertThat(SecondsProperty.read(NAME, 5)).isEqualTo(2.5);
        System.setProperty(NAME, "0");
        assertThat(SecondsProperty.read(NAME, 5)).isZero();
    }

    @Test
    void malformedOrNegativeIsTheDefault() {
        for (String value : new String[] {"", "soon", "-1", "NaN"}) {
            System.setProperty(NAME, value);
            assertThat(SecondsProperty.read(NAME, 5)).as(value).isEqualTo(5);
        }
    }
}
