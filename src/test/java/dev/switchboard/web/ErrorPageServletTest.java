package dev.switchboard.web;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ErrorPageServletTest {

    /**
     * Tomcat runs the error page when it thinks no AsyncListener ended a request whose connection broke, also after
     * the stream committed. The committed response's resetBuffer() throws (Tomcat logged it as SEVERE, with a stack
     * trace) and an error body would land inside the SSE stream: the page must leave a committed response alone.
     */
    @Test
    void aCommittedResponseIsLeftAlone() throws Exception {
        List<String> calls = new ArrayList<>();
        HttpServletRequest request = (HttpServletRequest) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, method, args) -> null);
        HttpServletResponse response = (HttpServletResponse) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {HttpServletResponse.class}, (proxy, method, args) -> {
                    calls.add(method.getName());
                    if (method.getName().equals("isCommitted")) {
                        return true;
                    }
                    // What Tomcat's facade does for resetBuffer() on a committed response; nothing else may be used.
                    throw new IllegalStateException("Cannot " + method.getName() + " after the response was committed");
                });

        new ErrorPageServlet().service(request, response);

        assertEquals(List.of("isCommitted"), calls);
    }
}
